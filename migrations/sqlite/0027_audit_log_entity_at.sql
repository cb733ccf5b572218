-- The audit list filtered by a kind of record, newest first (`GET /api/audit?entity=…`), walks
-- this index in its order (the row id, its tie-break, ends every SQLite index) instead of sorting
-- every entry of that kind: 0.9 s a page at two million entries without it (BENCHMARKS.md, "The
-- audit list at two million entries").
CREATE INDEX audit_log_entity_at ON audit_log(entity, at);
