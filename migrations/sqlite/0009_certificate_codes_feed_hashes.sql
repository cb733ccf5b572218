-- Issue 14, public routes (hardening).
--
-- Every certificate gets a verification code, printed with its number: the public check answers
-- the holder's full name only with it. Codes come from the operating system's CSPRNG, so the
-- certificates issued before this migration get theirs at the next start
-- (completions::certificate::backfill_codes), not in SQL.
ALTER TABLE completions ADD COLUMN certificate_code TEXT;

-- Calendar-feed tokens are kept only as SHA-256 hashes (hex). The existing tokens are converted,
-- not dropped, so the links already in cadres' phones keep working: the column is renamed and
-- the rows still holding a plain token (hashed = FALSE) are hashed at the next start
-- (calendar::hash_legacy_tokens); new rows are written hashed.
ALTER TABLE feed_tokens RENAME COLUMN token TO token_hash;
ALTER TABLE feed_tokens ADD COLUMN hashed BOOLEAN NOT NULL DEFAULT FALSE;

-- The rate limits (login failures, public certificate checks) forget old entries by time.
CREATE INDEX login_failures_at ON login_failures(at);
