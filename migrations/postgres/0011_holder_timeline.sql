-- The per-holder status timeline (issue 18). For every title assignment and planned succession,
-- the intervals over which its assessment is constant: the unit the holder is counted in, the
-- standard version in force, the requirements not met, and the holder's demographic keys. A gap
-- report as of D is one read of the intervals containing D in the subtree (src/gaps/timeline.rs
-- builds them with the gap engine; src/gaps/timeline_store.rs keeps them).
--
-- Kept by every write in its own transaction: statement-level triggers on the facts a timeline is
-- built from put the cadres whose facts moved into timeline_dirty, keyed by the writing
-- transaction, and the commit (db::Tx::commit) rebuilds those cadres' timelines (after locking
-- their rows, so concurrent writers to one cadre take turns) and removes its keys before
-- committing. `rebuild-timelines` (CLI) recomputes everything.
-- to_date is the first day after the interval, 9999-12-31 while it is open; the key starts with
-- (unit, end), so a report as of D reads of each unit only the intervals ending after D (for
-- today: the current ones).
CREATE TABLE holder_timeline (
    holding          TEXT NOT NULL CHECK (holding IN ('incumbent', 'planned')),
    period_id        BIGINT NOT NULL,
    cadre_id         BIGINT NOT NULL,
    title_code       TEXT NOT NULL,
    org_kind         TEXT NOT NULL,
    unit_code        TEXT NOT NULL,
    from_date        DATE NOT NULL,
    to_date          DATE NOT NULL,
    standard_version BIGINT,
    unmet            TEXT NOT NULL,
    gender           TEXT NOT NULL,
    birth_date       DATE NOT NULL,
    ethnic_minority  BOOLEAN NOT NULL,
    PRIMARY KEY (unit_code, to_date, from_date, holding, period_id)
);
CREATE INDEX holder_timeline_cadre ON holder_timeline(cadre_id);

-- Cadres whose timelines the writing transaction (tx: its id) must rebuild before it commits;
-- tx 0 is the backlog rebuilt at start.
CREATE TABLE timeline_dirty (
    tx       BIGINT NOT NULL,
    cadre_id BIGINT NOT NULL,
    PRIMARY KEY (tx, cadre_id)
);

-- Rows of cadres that hold or are planned for a title (a cadre with neither has no timeline:
-- its first title or plan marks it, and its timeline is built from all its facts then).
CREATE FUNCTION timeline_mark_holders_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO timeline_dirty (tx, cadre_id)
    SELECT DISTINCT txid_current(), n.cadre_id FROM new_rows n
    WHERE EXISTS (SELECT 1 FROM title_assignments a WHERE a.cadre_id = n.cadre_id)
       OR EXISTS (SELECT 1 FROM succession_plans p WHERE p.cadre_id = n.cadre_id)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE FUNCTION timeline_mark_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO timeline_dirty (tx, cadre_id) SELECT DISTINCT txid_current(), cadre_id FROM new_rows
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE FUNCTION timeline_mark_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO timeline_dirty (tx, cadre_id) SELECT DISTINCT txid_current(), cadre_id FROM old_rows
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE FUNCTION timeline_mark_both() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO timeline_dirty (tx, cadre_id)
    SELECT txid_current(), cadre_id FROM new_rows UNION SELECT txid_current(), cadre_id FROM old_rows
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
-- Updates that change nothing a timeline reads mark nothing (certificate numbers and codes).
CREATE FUNCTION timeline_mark_completions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO timeline_dirty (tx, cadre_id)
    SELECT txid_current(), n.cadre_id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n.cadre_id, n.module_id, n.completed_on, n.revoked_on) IS DISTINCT FROM (o.cadre_id, o.module_id, o.completed_on, o.revoked_on)
    UNION
    SELECT txid_current(), o.cadre_id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n.cadre_id, n.module_id, n.completed_on, n.revoked_on) IS DISTINCT FROM (o.cadre_id, o.module_id, o.completed_on, o.revoked_on)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE FUNCTION timeline_mark_qualifications_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO timeline_dirty (tx, cadre_id)
    SELECT txid_current(), n.cadre_id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n.cadre_id, n.scale_code, n.level_code, n.obtained_on, n.revoked_on) IS DISTINCT FROM (o.cadre_id, o.scale_code, o.level_code, o.obtained_on, o.revoked_on)
    UNION
    SELECT txid_current(), o.cadre_id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n.cadre_id, n.scale_code, n.level_code, n.obtained_on, n.revoked_on) IS DISTINCT FROM (o.cadre_id, o.scale_code, o.level_code, o.obtained_on, o.revoked_on)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE FUNCTION timeline_mark_cadres_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO timeline_dirty (tx, cadre_id)
    SELECT txid_current(), n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n.gender, n.birth_date, n.ethnic_minority, n.party_joined_on) IS DISTINCT FROM (o.gender, o.birth_date, o.ethnic_minority, o.party_joined_on)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE FUNCTION timeline_mark_cadres_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO timeline_dirty (tx, cadre_id) SELECT txid_current(), id FROM old_rows ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
-- Every holder of the titles named (a title's code or kind changed; a standard version moved).
CREATE FUNCTION timeline_mark_titles(title_ids BIGINT[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO timeline_dirty (tx, cadre_id)
    SELECT txid_current(), cadre_id FROM title_assignments WHERE title_id = ANY(title_ids)
    UNION SELECT txid_current(), cadre_id FROM succession_plans WHERE title_id = ANY(title_ids)
    ON CONFLICT DO NOTHING;
$$;
CREATE FUNCTION timeline_mark_titles_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM timeline_mark_titles(ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.code, n.org_kind) IS DISTINCT FROM (o.code, o.org_kind)));
    RETURN NULL;
END $$;
CREATE FUNCTION timeline_mark_versions_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM timeline_mark_titles(ARRAY(SELECT title_id FROM new_rows));
    RETURN NULL;
END $$;
CREATE FUNCTION timeline_mark_versions_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM timeline_mark_titles(ARRAY(SELECT title_id FROM old_rows));
    RETURN NULL;
END $$;
CREATE FUNCTION timeline_mark_versions_both() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM timeline_mark_titles(ARRAY(SELECT title_id FROM new_rows UNION SELECT title_id FROM old_rows));
    RETURN NULL;
END $$;
CREATE FUNCTION timeline_mark_requirements_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM timeline_mark_titles(ARRAY(SELECT v.title_id FROM standard_versions v WHERE v.id IN (SELECT version_id FROM new_rows)));
    RETURN NULL;
END $$;
CREATE FUNCTION timeline_mark_requirements_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM timeline_mark_titles(ARRAY(SELECT v.title_id FROM standard_versions v WHERE v.id IN (SELECT version_id FROM old_rows)));
    RETURN NULL;
END $$;
CREATE FUNCTION timeline_mark_requirements_both() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM timeline_mark_titles(ARRAY(SELECT v.title_id FROM standard_versions v
        WHERE v.id IN (SELECT version_id FROM new_rows UNION SELECT version_id FROM old_rows)));
    RETURN NULL;
END $$;
-- The ranks of a scale's levels decide whether a min_level requirement is met: a change marks
-- every holder (reference data; it changes rarely).
CREATE FUNCTION timeline_mark_everyone() RETURNS void LANGUAGE sql AS $$
    INSERT INTO timeline_dirty (tx, cadre_id)
    SELECT txid_current(), cadre_id FROM title_assignments UNION SELECT txid_current(), cadre_id FROM succession_plans
    ON CONFLICT DO NOTHING;
$$;
-- (A statement-level trigger fires even when its statement wrote nothing, as the seed's
-- INSERT ... ON CONFLICT DO NOTHING does at every start: only rows written count.)
CREATE FUNCTION timeline_mark_levels_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows) THEN PERFORM timeline_mark_everyone(); END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION timeline_mark_levels_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM old_rows) THEN PERFORM timeline_mark_everyone(); END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION timeline_mark_levels_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON (o.scale_code, o.code) = (n.scale_code, n.code) WHERE n.rank IS DISTINCT FROM o.rank)
       OR (SELECT COUNT(*) FROM new_rows n JOIN old_rows o ON (o.scale_code, o.code) = (n.scale_code, n.code)) <> (SELECT COUNT(*) FROM new_rows) THEN
        PERFORM timeline_mark_everyone();
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION timeline_mark_modules_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO timeline_dirty (tx, cadre_id)
    SELECT DISTINCT txid_current(), c.cadre_id FROM completions c
    WHERE c.module_id IN (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.code IS DISTINCT FROM o.code)
      AND (EXISTS (SELECT 1 FROM title_assignments a WHERE a.cadre_id = c.cadre_id)
           OR EXISTS (SELECT 1 FROM succession_plans p WHERE p.cadre_id = c.cadre_id))
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER timeline_completions_insert AFTER INSERT ON completions REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_holders_new();
CREATE TRIGGER timeline_completions_update AFTER UPDATE ON completions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_completions_changed();
CREATE TRIGGER timeline_completions_delete AFTER DELETE ON completions REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_old();

CREATE TRIGGER timeline_qualifications_insert AFTER INSERT ON cadre_qualifications REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_holders_new();
CREATE TRIGGER timeline_qualifications_update AFTER UPDATE ON cadre_qualifications REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_qualifications_changed();
CREATE TRIGGER timeline_qualifications_delete AFTER DELETE ON cadre_qualifications REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_old();

CREATE TRIGGER timeline_cadre_units_insert AFTER INSERT ON cadre_units REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_holders_new();
CREATE TRIGGER timeline_cadre_units_update AFTER UPDATE ON cadre_units REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_both();
CREATE TRIGGER timeline_cadre_units_delete AFTER DELETE ON cadre_units REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_old();

CREATE TRIGGER timeline_cadres_update AFTER UPDATE ON cadres REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_cadres_changed();
CREATE TRIGGER timeline_cadres_delete AFTER DELETE ON cadres REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_cadres_deleted();

CREATE TRIGGER timeline_title_assignments_insert AFTER INSERT ON title_assignments REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_new();
CREATE TRIGGER timeline_title_assignments_update AFTER UPDATE ON title_assignments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_both();
CREATE TRIGGER timeline_title_assignments_delete AFTER DELETE ON title_assignments REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_old();

CREATE TRIGGER timeline_succession_plans_insert AFTER INSERT ON succession_plans REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_new();
CREATE TRIGGER timeline_succession_plans_update AFTER UPDATE ON succession_plans REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_both();
CREATE TRIGGER timeline_succession_plans_delete AFTER DELETE ON succession_plans REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_old();

CREATE TRIGGER timeline_titles_update AFTER UPDATE ON titles REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_titles_updated();

CREATE TRIGGER timeline_standard_versions_insert AFTER INSERT ON standard_versions REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_versions_new();
CREATE TRIGGER timeline_standard_versions_update AFTER UPDATE ON standard_versions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_versions_both();
CREATE TRIGGER timeline_standard_versions_delete AFTER DELETE ON standard_versions REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_versions_old();
CREATE TRIGGER timeline_standard_requirements_insert AFTER INSERT ON standard_requirements REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_requirements_new();
CREATE TRIGGER timeline_standard_requirements_update AFTER UPDATE ON standard_requirements REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_requirements_both();
CREATE TRIGGER timeline_standard_requirements_delete AFTER DELETE ON standard_requirements REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_requirements_old();

CREATE TRIGGER timeline_levels_insert AFTER INSERT ON qualification_levels REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_levels_new();
CREATE TRIGGER timeline_levels_update AFTER UPDATE ON qualification_levels REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_levels_changed();
CREATE TRIGGER timeline_levels_delete AFTER DELETE ON qualification_levels REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_levels_old();

CREATE TRIGGER timeline_modules_update AFTER UPDATE ON modules REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_mark_modules_updated();

-- Holders recorded before this migration: their timelines are built at the next start.
INSERT INTO timeline_dirty (tx, cadre_id)
SELECT 0, cadre_id FROM title_assignments UNION SELECT 0, cadre_id FROM succession_plans
ON CONFLICT DO NOTHING;
