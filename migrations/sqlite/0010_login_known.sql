-- Addresses an account has logged in from successfully (key `username|address`), so the
-- account-wide login throttle never slows its owner down on a known address (issue 14). Like
-- login_failures, nothing cached is built from it, so it has no data-version trigger.
CREATE TABLE login_known (
    key     TEXT PRIMARY KEY,
    last_at TEXT NOT NULL
);
