-- SQLite's data version moves once per write transaction from here on (its per-row triggers are
-- dropped: migrations/sqlite/0012_data_version_per_transaction.sql). PostgreSQL's version is the
-- snapshot and needs nothing. This file keeps the two backends' migration lists matching.
SELECT 1;
