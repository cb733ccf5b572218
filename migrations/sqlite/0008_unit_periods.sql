-- The unit tree as of any date (issue 13).
-- units.created_on: the day a unit came into being (NULL: it has always existed as far as the
-- data knows). unit_periods: every unit's state over each interval in which it is constant,
-- rebuilt from units + unit_history + retirements + successors after every change to the tree
-- (units::periods): its name, kind, parent, path and depth on those days, and, once retired,
-- where its people are counted (its main successor's path, or its own last path, unplaced).
-- unit_successors: which old unit became which new one(s) on a date (the 2025 reorganisation).
ALTER TABLE units ADD COLUMN created_on TEXT;

-- A title period split by a move to a successor unit keeps the day of the original appointment
-- (the standard's person conditions, such as age at appointment, are taken on it). NULL: from_date.
ALTER TABLE title_assignments ADD COLUMN appointed_on TEXT;
ALTER TABLE succession_plans ADD COLUMN appointed_on TEXT;

CREATE TABLE unit_periods (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL,
    valid_from  TEXT,
    valid_to    TEXT,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    parent_code TEXT,
    path        TEXT NOT NULL,
    depth       INTEGER NOT NULL,
    placed_code TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('live', 'merged', 'unplaced'))
);
CREATE INDEX unit_periods_code ON unit_periods(code, valid_from);
CREATE INDEX unit_periods_path ON unit_periods(path, valid_from, valid_to);

CREATE TABLE unit_successors (
    old_code  TEXT NOT NULL REFERENCES units(code),
    new_code  TEXT NOT NULL REFERENCES units(code),
    effective TEXT NOT NULL,
    part      BOOLEAN NOT NULL,
    main      BOOLEAN NOT NULL,
    PRIMARY KEY (old_code, new_code, effective)
);
CREATE INDEX unit_successors_new ON unit_successors(new_code);

CREATE TRIGGER data_version_unit_periods_insert AFTER INSERT ON unit_periods BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_unit_periods_update AFTER UPDATE ON unit_periods BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_unit_periods_delete AFTER DELETE ON unit_periods BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_unit_successors_insert AFTER INSERT ON unit_successors BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_unit_successors_update AFTER UPDATE ON unit_successors BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_unit_successors_delete AFTER DELETE ON unit_successors BEGIN UPDATE data_version SET version = version + 1; END;
