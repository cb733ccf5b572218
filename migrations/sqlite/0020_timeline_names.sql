-- Each timeline row keeps its cadre's name and stored sort key (issue 18): the drill-down and its
-- export read them with the row instead of looking every holder up in `cadres` (on the city's
-- data that lookup was a third of the export's read). A change of either marks the cadre, so the
-- commit rewrites their rows as it does for the other personal fields the rows keep. A row
-- written without them (an older app server during a rolling upgrade: the default '') is read
-- with the name looked up in `cadres` instead (src/gaps/timeline_store.rs, `statement`).
ALTER TABLE holder_timeline ADD COLUMN full_name TEXT NOT NULL DEFAULT '';
ALTER TABLE holder_timeline ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
UPDATE holder_timeline SET full_name = c.full_name, sort_key = c.sort_key
FROM cadres c WHERE c.id = holder_timeline.cadre_id;
DROP TRIGGER timeline_cadres_update;
CREATE TRIGGER timeline_cadres_update
AFTER UPDATE OF gender, birth_date, ethnic_minority, party_joined_on, full_name, sort_key ON cadres
BEGIN INSERT OR IGNORE INTO timeline_dirty VALUES (0, NEW.id); END;
