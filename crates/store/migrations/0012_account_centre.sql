-- The centre an account works for (`[[centres]]`): it sees and acts on what that centre and
-- those under it own. NULL: the city's centre, which sees everything.
ALTER TABLE users ADD COLUMN centre TEXT;
