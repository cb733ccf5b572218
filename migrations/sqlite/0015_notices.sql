-- Notices (issue 17): an in-app inbox per account and the outbox of its e-mail. A notice is
-- written in the transaction of the event it tells of (enrolled, waitlisted, promoted, a class
-- rescheduled or cancelled, a completion recorded, a certificate revoked) or by the reminder
-- sweep (a class starting soon, a session tomorrow, a training going stale), to the cadre's account
-- and to the officers of the cadre's unit. Its text is rendered from `kind` and `params` in the
-- reader's language (src/notices/domain.rs), so the words can change and no language is stored.
--
-- E-mail: `mail_state` is `pending` when the notice was written with e-mail on for the server,
-- an address for the account (its own, else its cadre's) and the kind not turned off by the
-- account; the background sender (src/notices/sender.rs) claims pending rows (`claimed_until`,
-- `FOR UPDATE SKIP LOCKED` on PostgreSQL), sends, and marks them `sent`, or retries with backoff
-- (`next_attempt`) and gives up as `failed` after the configured attempts. Times of the outbox are
-- seconds since the epoch (compared as numbers on both databases).
--
-- `dedupe` makes a reminder once-only whatever restarts or app servers: the sweep writes with a
-- key per (reminder, class or session, account) and a second write of the same key does nothing.
ALTER TABLE accounts ADD COLUMN email TEXT;
ALTER TABLE accounts ADD COLUMN lang TEXT NOT NULL DEFAULT 'vi' CHECK (lang IN ('vi', 'en'));

CREATE TABLE notices (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    kind          TEXT NOT NULL,
    cadre_id      INTEGER,
    class_id      INTEGER,
    params        TEXT NOT NULL,
    dedupe        TEXT UNIQUE,
    created_at    TEXT NOT NULL,
    read_at       TEXT,
    mail_state    TEXT NOT NULL CHECK (mail_state IN ('none', 'pending', 'sent', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt  INTEGER NOT NULL DEFAULT 0,
    claimed_until INTEGER NOT NULL DEFAULT 0,
    sent_at       TEXT,
    last_error    TEXT
);
CREATE INDEX notices_account ON notices(account_id, id);
CREATE INDEX notices_unread ON notices(account_id) WHERE read_at IS NULL;
CREATE INDEX notices_outbox ON notices(next_attempt, id) WHERE mail_state = 'pending';

-- The kinds of notice an account does not want by e-mail (the inbox still gets them).
CREATE TABLE notice_mail_off (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    kind       TEXT NOT NULL,
    PRIMARY KEY (account_id, kind)
);
