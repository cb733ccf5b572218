-- The reference version (issue 18): a counter moved by every change to what the reports' reference
-- cache is built from — the standards (titles, their versions and requirements), the
-- qualification scales and levels, and the unit tree (units, unit_periods) — and by nothing else.
-- A report's standards, scales and places are kept per reference version (src/gaps/reference.rs),
-- so a completion, an enrolment or a move recorded anywhere leaves them cached; the data version
-- (the snapshot, 0007) still keys the rest (the record cache, the modules). The counter is a row,
-- updated in the writer's transaction, so a reader sees the new value only with the new data
-- (a sequence would show it before the commit). Statement triggers: one update per statement;
-- writers of the reference (rare) queue on the row, other writers never touch it.
-- tests/api/reference_version.rs checks each table moves it and ordinary writes do not.
CREATE TABLE reference_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO reference_version (id, version) VALUES (1, 0);

CREATE FUNCTION reference_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reference_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END $$;

CREATE TRIGGER reference_units AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION reference_version_bump();
CREATE TRIGGER reference_unit_periods AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON unit_periods
    FOR EACH STATEMENT EXECUTE FUNCTION reference_version_bump();
CREATE TRIGGER reference_titles AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON titles
    FOR EACH STATEMENT EXECUTE FUNCTION reference_version_bump();
CREATE TRIGGER reference_standard_versions AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON standard_versions
    FOR EACH STATEMENT EXECUTE FUNCTION reference_version_bump();
CREATE TRIGGER reference_standard_requirements AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON standard_requirements
    FOR EACH STATEMENT EXECUTE FUNCTION reference_version_bump();
CREATE TRIGGER reference_qualification_scales AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON qualification_scales
    FOR EACH STATEMENT EXECUTE FUNCTION reference_version_bump();
CREATE TRIGGER reference_qualification_levels AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON qualification_levels
    FOR EACH STATEMENT EXECUTE FUNCTION reference_version_bump();
