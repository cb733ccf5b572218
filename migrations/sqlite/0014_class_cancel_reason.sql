-- Issue 16, the school's class page: a class is cancelled with a reason, which the class page
-- shows (and the audit trail keeps). Classes cancelled before this have none (NULL).
ALTER TABLE classes ADD COLUMN cancel_reason TEXT;
