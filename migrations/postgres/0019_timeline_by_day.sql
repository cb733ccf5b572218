-- The timeline by holding and day as well as by unit (issue 18): the report of the whole tree
-- (the national data's country-wide report) reads the day's rows of the whole timeline in one
-- range and keeps those whose unit is on the tree's day (a hash semi-join), where descending the
-- unit key once per unit cost 10,810 × 2 descents. A subtree still seeks its units in the primary
-- key (src/gaps/timeline_store.rs, `statement`). The same columns as the key's INCLUDE, so both
-- reads stay index-only. Built in the migration's transaction: writes to the timeline wait for it
-- (about 20 s on the national data), reads do not.
CREATE INDEX holder_timeline_day ON holder_timeline (holding, to_date, from_date)
    INCLUDE (unit_code, cadre_id, title_code, standard_version, unmet, found, gender, birth_date, ethnic_minority);
