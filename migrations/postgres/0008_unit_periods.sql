-- The unit tree as of any date (issue 13). See migrations/sqlite/0008_unit_periods.sql.
ALTER TABLE units ADD COLUMN created_on DATE;

-- A title period split by a move to a successor unit keeps the day of the original appointment
-- (the standard's person conditions, such as age at appointment, are taken on it). NULL: from_date.
ALTER TABLE title_assignments ADD COLUMN appointed_on DATE;
ALTER TABLE succession_plans ADD COLUMN appointed_on DATE;

CREATE TABLE unit_periods (
    id          BIGSERIAL PRIMARY KEY,
    code        TEXT NOT NULL,
    valid_from  DATE,
    valid_to    DATE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    parent_code TEXT,
    path        TEXT COLLATE "C" NOT NULL,
    depth       BIGINT NOT NULL,
    placed_code TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('live', 'merged', 'unplaced'))
);
CREATE INDEX unit_periods_code ON unit_periods(code, valid_from);
CREATE INDEX unit_periods_path ON unit_periods(path, valid_from, valid_to);

CREATE TABLE unit_successors (
    old_code  TEXT NOT NULL REFERENCES units(code),
    new_code  TEXT NOT NULL REFERENCES units(code),
    effective DATE NOT NULL,
    part      BOOLEAN NOT NULL,
    main      BOOLEAN NOT NULL,
    PRIMARY KEY (old_code, new_code, effective)
);
CREATE INDEX unit_successors_new ON unit_successors(new_code);
