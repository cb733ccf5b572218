-- Foundation: administrative units, accounts, audit trail, login throttling.

CREATE TABLE units (
    code           TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    name_folded    TEXT NOT NULL,
    kind           TEXT NOT NULL,
    parent_code    TEXT REFERENCES units(code),
    path           TEXT COLLATE "C" NOT NULL UNIQUE,
    depth          BIGINT NOT NULL,
    retired_on     DATE,
    successor_code TEXT REFERENCES units(code),
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX units_parent ON units(parent_code);
CREATE INDEX units_name_folded ON units(name_folded text_pattern_ops);

CREATE TABLE unit_history (
    id          BIGSERIAL PRIMARY KEY,
    code        TEXT NOT NULL REFERENCES units(code),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    parent_code TEXT,
    valid_until DATE NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX unit_history_code ON unit_history(code, valid_until);

CREATE TABLE accounts (
    id            BIGSERIAL PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'school', 'commission', 'officer', 'cadre')),
    unit_code     TEXT REFERENCES units(code),
    cadre_id      BIGINT,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    token_version BIGINT NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor_id    BIGINT,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_log_actor ON audit_log(actor, at);

CREATE TABLE login_failures (
    id  BIGSERIAL PRIMARY KEY,
    key TEXT NOT NULL,
    at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at);
