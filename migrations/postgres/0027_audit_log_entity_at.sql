-- The audit list filtered by a kind of record, newest first (`GET /api/audit?entity=…`), walks
-- this index in its order instead of sorting every entry of that kind (BENCHMARKS.md, "The audit
-- list at two million entries"). Built while writes wait (each write adds an audit entry): about
-- 2 s at two million entries.
CREATE INDEX audit_log_entity_at ON audit_log(entity, at, id);
