-- The timeline's key now puts `holding` right after the unit: a report on the incumbents (the
-- default) reads only their part of each unit's key range, not the planned successors' as well
-- (three in four open rows of the city data). The rows are the same.
--
-- The key also carries every column a report reads (INCLUDE), so a report is an index-only scan:
-- the heap rows of one unit are scattered over the table (each write rebuilds a holder's rows at
-- its end), and fetching them cost the whole-country report most of its time (BENCHMARKS.md,
-- "Third sitting"). SQLite's table is WITHOUT ROWID: its rows already live in the key's order.
ALTER TABLE holder_timeline DROP CONSTRAINT holder_timeline_pkey;
ALTER TABLE holder_timeline ADD PRIMARY KEY (unit_code, holding, to_date, from_date, period_id)
    INCLUDE (cadre_id, title_code, standard_version, unmet, gender, birth_date, ethnic_minority);
