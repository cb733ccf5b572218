-- Curriculum (deliverable 9.7): qualification scales and levels (data, not code), modules with
-- versions and prerequisites, programmes made of modules. Seeded with the DV- modules and the
-- political-theory programmes.

CREATE TABLE qualification_scales (
    code    TEXT PRIMARY KEY,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE qualification_levels (
    scale_code TEXT NOT NULL REFERENCES qualification_scales(code),
    code       TEXT NOT NULL,
    rank       INTEGER NOT NULL,
    name_vi    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    PRIMARY KEY (scale_code, code),
    UNIQUE (scale_code, rank)
);

CREATE TABLE modules (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    code           TEXT NOT NULL UNIQUE,
    title_vi       TEXT NOT NULL,
    title_en       TEXT NOT NULL,
    periods        INTEGER NOT NULL CHECK (periods > 0),
    description    TEXT NOT NULL DEFAULT '',
    audiences      TEXT NOT NULL DEFAULT '',
    validity_years INTEGER CHECK (validity_years IS NULL OR validity_years > 0),
    awards_scale   TEXT,
    awards_level   TEXT,
    active         BOOLEAN NOT NULL DEFAULT 1,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    FOREIGN KEY (awards_scale, awards_level) REFERENCES qualification_levels(scale_code, code)
);

-- Earlier versions of a module, kept whole when it is edited (completions name the version they followed).
CREATE TABLE module_versions (
    module_id   INTEGER NOT NULL REFERENCES modules(id),
    version     INTEGER NOT NULL,
    snapshot    TEXT NOT NULL,
    replaced_at TEXT NOT NULL,
    PRIMARY KEY (module_id, version)
);

CREATE TABLE module_prerequisites (
    module_id       INTEGER NOT NULL REFERENCES modules(id),
    prerequisite_id INTEGER NOT NULL REFERENCES modules(id),
    PRIMARY KEY (module_id, prerequisite_id)
);

CREATE TABLE programmes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL UNIQUE,
    name_vi     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    active      BOOLEAN NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE programme_modules (
    programme_id INTEGER NOT NULL REFERENCES programmes(id),
    module_id    INTEGER NOT NULL REFERENCES modules(id),
    position     INTEGER NOT NULL,
    PRIMARY KEY (programme_id, module_id)
);
