-- Title standards (deliverable 9.2): versions with an effective date, each a list of requirements.

CREATE TABLE standard_versions (
    id             BIGSERIAL PRIMARY KEY,
    title_id       BIGINT NOT NULL REFERENCES titles(id),
    version        BIGINT NOT NULL,
    effective_from DATE NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (title_id, version),
    UNIQUE (title_id, effective_from)
);

CREATE TABLE standard_requirements (
    id           BIGSERIAL PRIMARY KEY,
    version_id   BIGINT NOT NULL REFERENCES standard_versions(id),
    position     BIGINT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('min_level', 'module', 'max_age', 'min_party_years')),
    scale_code   TEXT,
    level_code   TEXT,
    module_code  TEXT,
    within_years BIGINT,
    years        BIGINT
);
CREATE INDEX standard_requirements_version ON standard_requirements(version_id, position);
