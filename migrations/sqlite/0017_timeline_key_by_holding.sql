-- The timeline's key now puts `holding` right after the unit: a report on the incumbents (the
-- default) reads only their part of each unit's key range, not the planned successors' as well
-- (three in four open rows of the city data). The rows are the same; SQLite cannot change the
-- primary key of a WITHOUT ROWID table, so the table is copied.
CREATE TABLE holder_timeline_new (
    holding          TEXT NOT NULL CHECK (holding IN ('incumbent', 'planned')),
    period_id        INTEGER NOT NULL,
    cadre_id         INTEGER NOT NULL,
    title_code       TEXT NOT NULL,
    org_kind         TEXT NOT NULL,
    unit_code        TEXT NOT NULL,
    from_date        TEXT NOT NULL,
    to_date          TEXT NOT NULL,
    standard_version INTEGER,
    unmet            TEXT NOT NULL,
    gender           TEXT NOT NULL,
    birth_date       TEXT NOT NULL,
    ethnic_minority  BOOLEAN NOT NULL,
    PRIMARY KEY (unit_code, holding, to_date, from_date, period_id)
) WITHOUT ROWID;
INSERT INTO holder_timeline_new (holding, period_id, cadre_id, title_code, org_kind, unit_code,
    from_date, to_date, standard_version, unmet, gender, birth_date, ethnic_minority)
SELECT holding, period_id, cadre_id, title_code, org_kind, unit_code, from_date, to_date,
    standard_version, unmet, gender, birth_date, ethnic_minority
FROM holder_timeline;
DROP TABLE holder_timeline;
ALTER TABLE holder_timeline_new RENAME TO holder_timeline;
CREATE INDEX holder_timeline_cadre ON holder_timeline(cadre_id);
