-- Each transition keeps the warning as it read then (title and detail carry the values), so a
-- replay shows what the wall said at that instant, not what it says now.
ALTER TABLE warning_log ADD COLUMN body TEXT;
