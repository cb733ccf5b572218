-- Cadres: records, unit history (moves), titles, title assignments, succession planning,
-- qualifications held.

CREATE TABLE titles (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    code       TEXT NOT NULL UNIQUE,
    name_vi    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    org_kind   TEXT NOT NULL,
    level      TEXT NOT NULL CHECK (level IN ('city', 'district', 'commune')),
    active     BOOLEAN NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE cadres (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    full_name       TEXT NOT NULL,
    name_folded     TEXT NOT NULL,
    sort_key        TEXT NOT NULL,
    gender          TEXT NOT NULL CHECK (gender IN ('female', 'male', 'other')),
    birth_date      TEXT NOT NULL,
    ethnicity       TEXT NOT NULL,
    ethnic_minority BOOLEAN NOT NULL,
    religion        TEXT,
    party_joined_on TEXT,
    personal_id     TEXT NOT NULL UNIQUE,
    unit_code       TEXT NOT NULL REFERENCES units(code),
    organisation    TEXT NOT NULL,
    phone           TEXT,
    email           TEXT,
    active          BOOLEAN NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX cadres_unit ON cadres(unit_code, sort_key);
CREATE INDEX cadres_sort ON cadres(sort_key, id);

-- Where a cadre belonged and when: the current row has no end date.
CREATE TABLE cadre_units (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    cadre_id  INTEGER NOT NULL REFERENCES cadres(id),
    unit_code TEXT NOT NULL REFERENCES units(code),
    from_date TEXT NOT NULL,
    to_date   TEXT
);
CREATE INDEX cadre_units_cadre ON cadre_units(cadre_id, from_date);
CREATE INDEX cadre_units_unit ON cadre_units(unit_code);

CREATE TABLE title_assignments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    cadre_id   INTEGER NOT NULL REFERENCES cadres(id),
    title_id   INTEGER NOT NULL REFERENCES titles(id),
    unit_code  TEXT NOT NULL REFERENCES units(code),
    from_date  TEXT NOT NULL,
    to_date    TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX title_assignments_cadre ON title_assignments(cadre_id);
CREATE INDEX title_assignments_unit ON title_assignments(unit_code, title_id);

CREATE TABLE succession_plans (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    cadre_id   INTEGER NOT NULL REFERENCES cadres(id),
    title_id   INTEGER NOT NULL REFERENCES titles(id),
    unit_code  TEXT NOT NULL REFERENCES units(code),
    from_date  TEXT NOT NULL,
    to_date    TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX succession_plans_cadre ON succession_plans(cadre_id);

CREATE TABLE cadre_qualifications (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    cadre_id      INTEGER NOT NULL REFERENCES cadres(id),
    scale_code    TEXT NOT NULL,
    level_code    TEXT NOT NULL,
    obtained_on   TEXT NOT NULL,
    issuer        TEXT NOT NULL DEFAULT '',
    evidence      TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL CHECK (source IN ('manual', 'import', 'completion')),
    source_ref    TEXT NOT NULL DEFAULT '',
    completion_id INTEGER,
    revoked_on    TEXT,
    created_at    TEXT NOT NULL,
    FOREIGN KEY (scale_code, level_code) REFERENCES qualification_levels(scale_code, code)
);
-- Covering: the gap reports read only these columns (index-only scans).
CREATE INDEX cadre_qualifications_cadre ON cadre_qualifications(cadre_id, scale_code, level_code, obtained_on, revoked_on);
