-- The day's index carries the holders' names and sort keys too (issue 18): a subtree that holds
-- the whole tree (a city on its own database, the country) is read by day for the drill-down and
-- its export as well as for the report's counts, and stays index-only (src/gaps/timeline_store.rs,
-- `Reach`). Rebuilt in the migration's transaction, whose DROP INDEX locks the timeline to its
-- end: reports and writes wait (under 1 s on the city's data, about 15 s on the national data).
DROP INDEX holder_timeline_day;
CREATE INDEX holder_timeline_day ON holder_timeline (holding, to_date, from_date)
    INCLUDE (unit_code, cadre_id, title_code, standard_version, unmet, found, gender, birth_date, ethnic_minority,
             full_name, sort_key);
