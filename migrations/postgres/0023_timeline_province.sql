-- Each timeline row names the province of its unit (issue 18: a report for a province reads only
-- its provinces' part of the day, not every unit's descent nor the whole country's day): the first
-- segment of the unit's path, the least over the unit's periods (`province` in
-- src/gaps/timeline_store.rs). Kept by the timeline's rebuild and, when the tree changes, for the
-- units whose periods changed (src/units/store.rs, `rebuild_periods`). A row written without it
-- (empty: an older app server during a rolling upgrade) is read by every province's read.
ALTER TABLE holder_timeline ADD COLUMN province TEXT NOT NULL DEFAULT '';
UPDATE holder_timeline h SET province = p.province
FROM (SELECT code, MIN(split_part(path, '/', 2)) AS province FROM unit_periods GROUP BY code) p
WHERE p.code = h.unit_code;
-- The province's day, carrying every column a report, a drill-down or an export reads (as the
-- day's index does, 0021): index-only.
CREATE INDEX holder_timeline_province ON holder_timeline (province, holding, to_date, from_date)
    INCLUDE (unit_code, cadre_id, title_code, standard_version, unmet, found, gender, birth_date, ethnic_minority,
             full_name, sort_key);
