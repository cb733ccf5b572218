-- The audit list filtered by a kind of record, newest first (`GET /api/audit?entity=…`), walks
-- this index in its order (the row id, its tie-break, ends every SQLite index) instead of sorting
-- every entry of that kind: 1.0 s a page at two million entries when the planner chose
-- `audit_log_entity` (BENCHMARKS.md, "The audit list at two million entries").
CREATE INDEX audit_log_entity_at ON audit_log(entity, at);
