-- The data version on PostgreSQL becomes a counter, as on SQLite (src/db/version.rs). Until now it
-- was the statement's snapshot, pg_current_snapshot(), which every transaction of the cluster moves:
-- each login (its audit entry), each transaction of another database on the same server, so with
-- people signing in all day every cached record (GET /api/me) and report was built again on its
-- next read. Now each write transaction that changed rows of the data (not only the logs:
-- audit_log, login_failures, login_known) adds one as it commits (Tx::commit, which compares the
-- server's per-transaction row counts with what Db::begin noted), to the row of its connection's
-- process id modulo 16; the version is the sum of the 16 rows, so concurrent writers rarely wait
-- for the same row. App servers of an earlier release do not move it: stop them before starting
-- this one.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id BETWEEN 0 AND 15),
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) SELECT g, 0 FROM generate_series(0, 15) g;
