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
    rank       BIGINT NOT NULL,
    name_vi    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    PRIMARY KEY (scale_code, code),
    UNIQUE (scale_code, rank)
);

CREATE TABLE modules (
    id             BIGSERIAL PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    title_vi       TEXT NOT NULL,
    title_en       TEXT NOT NULL,
    periods        BIGINT NOT NULL CHECK (periods > 0),
    description    TEXT NOT NULL DEFAULT '',
    audiences      TEXT NOT NULL DEFAULT '',
    validity_years BIGINT CHECK (validity_years IS NULL OR validity_years > 0),
    awards_scale   TEXT,
    awards_level   TEXT,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (awards_scale, awards_level) REFERENCES qualification_levels(scale_code, code)
);

-- Earlier versions of a module, kept whole when it is edited (completions name the version they followed).
CREATE TABLE module_versions (
    module_id   BIGINT NOT NULL REFERENCES modules(id),
    version     BIGINT NOT NULL,
    snapshot    TEXT NOT NULL,
    replaced_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (module_id, version)
);

CREATE TABLE module_prerequisites (
    module_id       BIGINT NOT NULL REFERENCES modules(id),
    prerequisite_id BIGINT NOT NULL REFERENCES modules(id),
    PRIMARY KEY (module_id, prerequisite_id)
);

CREATE TABLE programmes (
    id          BIGSERIAL PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name_vi     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE programme_modules (
    programme_id BIGINT NOT NULL REFERENCES programmes(id),
    module_id    BIGINT NOT NULL REFERENCES modules(id),
    position     BIGINT NOT NULL,
    PRIMARY KEY (programme_id, module_id)
);
