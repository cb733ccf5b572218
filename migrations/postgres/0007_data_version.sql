-- The data version on PostgreSQL is the snapshot itself: pg_current_snapshot() (xmin, xmax and the
-- transactions in progress) changes whenever any transaction takes an id, and two equal snapshots
-- see exactly the same committed data. Nothing is stored, and writers do not contend on a
-- counter row. SQLite keeps a counter moved by triggers (migrations/sqlite/0007_data_version.sql).
-- This file keeps the two backends' migration lists matching.
SELECT 1;
