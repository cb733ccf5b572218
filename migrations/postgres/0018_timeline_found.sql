-- Each timeline row keeps what its unmet verdicts rest on (`found`: one token per unmet key — the
-- best level held, the last completion, the day a person condition is taken on and the Party date;
-- src/gaps/engine.rs, `evidence`), so the drill-down and its export word every reason from the row
-- alone instead of reading the cadres' facts again. An interval now also ends where that changes.
-- Every token is non-empty (`-` for none): an empty `found` means a row written without tokens
-- (before this migration, or by an older app server during a rolling upgrade), which the export
-- explains from the facts instead. The key INCLUDEs it, so the drill-down's read stays index-only
-- (empty on the rows meeting everything, it adds little to the key). The rows written before carry
-- none: every holder is marked as recorded before (tx 0), and the start-up catch-up
-- (timeline_store::flush_backlog) rebuilds their timelines.
ALTER TABLE holder_timeline ADD COLUMN found TEXT NOT NULL DEFAULT '';
ALTER TABLE holder_timeline DROP CONSTRAINT holder_timeline_pkey;
ALTER TABLE holder_timeline ADD PRIMARY KEY (unit_code, holding, to_date, from_date, period_id)
    INCLUDE (cadre_id, title_code, standard_version, unmet, found, gender, birth_date, ethnic_minority);
INSERT INTO timeline_dirty (tx, cadre_id) SELECT DISTINCT 0, cadre_id FROM holder_timeline
ON CONFLICT DO NOTHING;
