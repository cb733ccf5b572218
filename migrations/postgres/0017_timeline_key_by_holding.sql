-- The timeline's key now puts `holding` right after the unit: a report on the incumbents (the
-- default) reads only their part of each unit's key range, not the planned successors' as well
-- (three in four open rows of the city data). The rows are the same.
ALTER TABLE holder_timeline DROP CONSTRAINT holder_timeline_pkey;
ALTER TABLE holder_timeline ADD PRIMARY KEY (unit_code, holding, to_date, from_date, period_id);
