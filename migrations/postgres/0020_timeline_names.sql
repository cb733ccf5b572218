-- Each timeline row keeps its cadre's name and stored sort key (issue 18): the drill-down and its
-- export read them with the row instead of looking every holder up in `cadres` (on the city's
-- data that lookup was half of the export's read). A change of either marks the cadre, so the
-- commit rewrites their rows as it does for the other personal fields the rows keep. A row
-- written without them (an older app server during a rolling upgrade: the default '') is read
-- with the name looked up in `cadres` instead (src/gaps/timeline_store.rs, `statement`). The key
-- INCLUDEs both, so the drill-down's read stays index-only; it is rebuilt after the rows are
-- filled in, in the migration's transaction: the timeline is locked until it ends (110 s on the
-- national data: reports and writes wait), as for 0018.
ALTER TABLE holder_timeline ADD COLUMN full_name TEXT NOT NULL DEFAULT '';
ALTER TABLE holder_timeline ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
ALTER TABLE holder_timeline DROP CONSTRAINT holder_timeline_pkey;
UPDATE holder_timeline SET full_name = c.full_name, sort_key = c.sort_key
FROM cadres c WHERE c.id = holder_timeline.cadre_id;
ALTER TABLE holder_timeline ADD PRIMARY KEY (unit_code, holding, to_date, from_date, period_id)
    INCLUDE (cadre_id, title_code, standard_version, unmet, found, gender, birth_date, ethnic_minority,
             full_name, sort_key);
CREATE OR REPLACE FUNCTION timeline_mark_cadres_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO timeline_dirty (tx, cadre_id)
    SELECT txid_current(), n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n.gender, n.birth_date, n.ethnic_minority, n.party_joined_on, n.full_name, n.sort_key)
        IS DISTINCT FROM (o.gender, o.birth_date, o.ethnic_minority, o.party_joined_on, o.full_name, o.sort_key)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
