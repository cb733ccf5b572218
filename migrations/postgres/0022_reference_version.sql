-- The reference version (issue 18): a counter moved by every change to what the reports' reference
-- cache is built from — the standards (titles, their versions and requirements), the
-- qualification scales and levels, and the unit tree (units, unit_periods) — and by nothing else.
-- A report's standards, scales and places are kept per reference version (src/gaps/reference.rs),
-- so a completion, an enrolment or a move recorded anywhere leaves them cached; the data version
-- (the snapshot, 0007) still keys the rest (the record cache, the modules). The counter is a row,
-- updated in the writer's transaction, so a reader sees the new value only with the new data
-- (a sequence would show it before the commit). The triggers are deferred to the commit and move
-- the counter once per transaction: its row lock is the last lock a writer takes, so two
-- transactions writing the reference queue on it at their commits and never deadlock over it
-- (a statement trigger would take it at the first statement and hold it while the transaction
-- waits for other rows). Other writers never touch it.
-- tests/api/reference_version.rs checks each table moves it and ordinary writes do not.
CREATE TABLE reference_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO reference_version (id, version) VALUES (1, 0);

CREATE FUNCTION reference_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('cadre.reference_moved', true) IS DISTINCT FROM txid_current()::text THEN
        PERFORM set_config('cadre.reference_moved', txid_current()::text, true);
        UPDATE reference_version SET version = version + 1 WHERE id = 1;
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER reference_units AFTER INSERT OR UPDATE OR DELETE ON units
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reference_version_bump();
CREATE TRIGGER reference_units_truncate AFTER TRUNCATE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION reference_version_bump();
CREATE CONSTRAINT TRIGGER reference_unit_periods AFTER INSERT OR UPDATE OR DELETE ON unit_periods
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reference_version_bump();
CREATE TRIGGER reference_unit_periods_truncate AFTER TRUNCATE ON unit_periods
    FOR EACH STATEMENT EXECUTE FUNCTION reference_version_bump();
CREATE CONSTRAINT TRIGGER reference_titles AFTER INSERT OR UPDATE OR DELETE ON titles
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reference_version_bump();
CREATE TRIGGER reference_titles_truncate AFTER TRUNCATE ON titles
    FOR EACH STATEMENT EXECUTE FUNCTION reference_version_bump();
CREATE CONSTRAINT TRIGGER reference_standard_versions AFTER INSERT OR UPDATE OR DELETE ON standard_versions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reference_version_bump();
CREATE TRIGGER reference_standard_versions_truncate AFTER TRUNCATE ON standard_versions
    FOR EACH STATEMENT EXECUTE FUNCTION reference_version_bump();
CREATE CONSTRAINT TRIGGER reference_standard_requirements AFTER INSERT OR UPDATE OR DELETE ON standard_requirements
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reference_version_bump();
CREATE TRIGGER reference_standard_requirements_truncate AFTER TRUNCATE ON standard_requirements
    FOR EACH STATEMENT EXECUTE FUNCTION reference_version_bump();
CREATE CONSTRAINT TRIGGER reference_qualification_scales AFTER INSERT OR UPDATE OR DELETE ON qualification_scales
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reference_version_bump();
CREATE TRIGGER reference_qualification_scales_truncate AFTER TRUNCATE ON qualification_scales
    FOR EACH STATEMENT EXECUTE FUNCTION reference_version_bump();
CREATE CONSTRAINT TRIGGER reference_qualification_levels AFTER INSERT OR UPDATE OR DELETE ON qualification_levels
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reference_version_bump();
CREATE TRIGGER reference_qualification_levels_truncate AFTER TRUNCATE ON qualification_levels
    FOR EACH STATEMENT EXECUTE FUNCTION reference_version_bump();
