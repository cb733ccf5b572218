-- Each timeline row names the province of its unit (issue 18): the first segment of the unit's
-- path, the least over the unit's periods. PostgreSQL reads a province's report by it (its own
-- index there); SQLite always seeks the subtree's units and keeps the column only so both
-- databases hold the same rows (no index). Kept by the timeline's rebuild and, when the tree
-- changes, for the units whose periods changed (src/units/store.rs, `rebuild_periods`).
ALTER TABLE holder_timeline ADD COLUMN province TEXT NOT NULL DEFAULT '';
UPDATE holder_timeline SET province = COALESCE(
    (SELECT MIN(substr(p.path, 2, instr(substr(p.path, 2), '/') - 1)) FROM unit_periods p
     WHERE p.code = holder_timeline.unit_code), '');
