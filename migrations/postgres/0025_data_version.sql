-- The data version on PostgreSQL becomes a counter, as on SQLite (src/db/version.rs). Until now it
-- was the statement's snapshot, pg_current_snapshot(), which every transaction of the cluster moves:
-- each login (its audit entry), each transaction of another database on the same server, so with
-- people signing in all day every cached record (GET /api/me) and report was built again on its
-- next read. The counter is moved once by every write transaction that changed rows other than the
-- logs (audit_log, login_failures, login_known), as it commits (Tx::commit, which compares the
-- server's per-transaction row counts with what Db::begin noted). Its row lock is the last lock a
-- writer takes, held for the commit alone; transactions writing only the logs never take it.
-- App servers of an earlier release do not move it: stop them before starting this one.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 0);
