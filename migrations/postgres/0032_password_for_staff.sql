-- Whether an account's password is long enough for a staff account (12 characters; a cadre's
-- may have 10): a cadre account is given a staff role only with such a password. Passwords set
-- before are known long enough only for staff accounts (they were checked for their role).
ALTER TABLE accounts ADD COLUMN password_for_staff BOOLEAN NOT NULL DEFAULT TRUE;
UPDATE accounts SET password_for_staff = FALSE WHERE role = 'cadre';
