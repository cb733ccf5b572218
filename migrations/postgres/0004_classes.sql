-- Classes (scheduled offerings of a module), their sessions, enrolments with a FIFO waitlist,
-- attendance, completions with certificates, calendar-feed tokens.

CREATE TABLE classes (
    id                 BIGSERIAL PRIMARY KEY,
    code               TEXT NOT NULL UNIQUE,
    module_id          BIGINT NOT NULL REFERENCES modules(id),
    module_version     BIGINT NOT NULL,
    title              TEXT NOT NULL,
    organiser          TEXT NOT NULL,
    capacity           BIGINT NOT NULL CHECK (capacity > 0),
    enrol_opens        DATE NOT NULL,
    enrol_closes       DATE NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('planned', 'open', 'running', 'finished', 'cancelled')),
    min_attendance_pct BIGINT NOT NULL CHECK (min_attendance_pct BETWEEN 0 AND 100),
    finished_on        DATE,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX classes_module ON classes(module_id, status);

CREATE TABLE class_sessions (
    id             BIGSERIAL PRIMARY KEY,
    class_id       BIGINT NOT NULL REFERENCES classes(id),
    starts_at      TIMESTAMPTZ NOT NULL,
    ends_at        TIMESTAMPTZ NOT NULL,
    venue          TEXT NOT NULL,
    venue_key      TEXT NOT NULL,
    instructor     TEXT NOT NULL,
    instructor_key TEXT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX class_sessions_class ON class_sessions(class_id, starts_at);
CREATE INDEX class_sessions_venue ON class_sessions(venue_key, starts_at);
CREATE INDEX class_sessions_instructor ON class_sessions(instructor_key, starts_at);

CREATE TABLE enrolments (
    id           BIGSERIAL PRIMARY KEY,
    class_id     BIGINT NOT NULL REFERENCES classes(id),
    cadre_id     BIGINT NOT NULL REFERENCES cadres(id),
    status       TEXT NOT NULL CHECK (status IN ('enrolled', 'waitlisted', 'withdrawn', 'removed')),
    queue_seq    BIGINT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('school', 'officer', 'self')),
    created_by   BIGINT,
    score_tenths BIGINT CHECK (score_tenths IS NULL OR score_tenths BETWEEN 0 AND 100),
    passed       BOOLEAN,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX enrolments_active ON enrolments(class_id, cadre_id) WHERE status IN ('enrolled', 'waitlisted');
CREATE INDEX enrolments_class ON enrolments(class_id, status, queue_seq);
CREATE INDEX enrolments_cadre ON enrolments(cadre_id, status);

CREATE TABLE attendance (
    session_id   BIGINT NOT NULL REFERENCES class_sessions(id),
    enrolment_id BIGINT NOT NULL REFERENCES enrolments(id),
    status       TEXT NOT NULL CHECK (status IN ('present', 'absent', 'excused')),
    recorded_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_id, enrolment_id)
);

CREATE TABLE completions (
    id             BIGSERIAL PRIMARY KEY,
    cadre_id       BIGINT NOT NULL REFERENCES cadres(id),
    module_id      BIGINT NOT NULL REFERENCES modules(id),
    module_version BIGINT NOT NULL,
    class_id       BIGINT REFERENCES classes(id),
    completed_on   DATE NOT NULL,
    score_tenths   BIGINT,
    certificate_no TEXT UNIQUE,
    source         TEXT NOT NULL CHECK (source IN ('class', 'paper', 'import')),
    source_ref     TEXT NOT NULL DEFAULT '',
    revoked_on     DATE,
    revoke_reason  TEXT,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX completions_class_cadre ON completions(class_id, cadre_id) WHERE class_id IS NOT NULL;
-- Covering: the gap reports read only these columns (index-only scans).
CREATE INDEX completions_cadre ON completions(cadre_id, module_id, completed_on, revoked_on);
CREATE INDEX completions_module ON completions(module_id, completed_on);

CREATE TABLE feed_tokens (
    cadre_id   BIGINT PRIMARY KEY REFERENCES cadres(id),
    token      TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);
