-- An account an administrator stopped (`citywall user disable`): it cannot log in and its
-- sessions are ended; `enable` (or `user add`) lets it in again.
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
