-- The data version: one counter that every committed change to the data moves, in the same
-- transaction as the change, whichever process or code path makes it. A reader that remembers
-- the version it saw can tell, with one indexed read, whether anything it built from the data
-- may have changed since (the own-record cache, src/me/cache.rs). The logs (audit_log,
-- login_failures) change nothing a reader builds, so they have no triggers;
-- tests/api/data_version.rs checks every other table has all three.
-- PostgreSQL needs no counter: its version is the transaction snapshot (see
-- migrations/postgres/0007_data_version.sql).
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 0);

CREATE TRIGGER data_version_units_insert AFTER INSERT ON units BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_units_update AFTER UPDATE ON units BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_units_delete AFTER DELETE ON units BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_unit_history_insert AFTER INSERT ON unit_history BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_unit_history_update AFTER UPDATE ON unit_history BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_unit_history_delete AFTER DELETE ON unit_history BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_accounts_insert AFTER INSERT ON accounts BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_accounts_update AFTER UPDATE ON accounts BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_accounts_delete AFTER DELETE ON accounts BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_qualification_scales_insert AFTER INSERT ON qualification_scales BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_qualification_scales_update AFTER UPDATE ON qualification_scales BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_qualification_scales_delete AFTER DELETE ON qualification_scales BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_qualification_levels_insert AFTER INSERT ON qualification_levels BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_qualification_levels_update AFTER UPDATE ON qualification_levels BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_qualification_levels_delete AFTER DELETE ON qualification_levels BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_modules_insert AFTER INSERT ON modules BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_modules_update AFTER UPDATE ON modules BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_modules_delete AFTER DELETE ON modules BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_module_versions_insert AFTER INSERT ON module_versions BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_module_versions_update AFTER UPDATE ON module_versions BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_module_versions_delete AFTER DELETE ON module_versions BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_module_prerequisites_insert AFTER INSERT ON module_prerequisites BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_module_prerequisites_update AFTER UPDATE ON module_prerequisites BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_module_prerequisites_delete AFTER DELETE ON module_prerequisites BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_programmes_insert AFTER INSERT ON programmes BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_programmes_update AFTER UPDATE ON programmes BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_programmes_delete AFTER DELETE ON programmes BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_programme_modules_insert AFTER INSERT ON programme_modules BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_programme_modules_update AFTER UPDATE ON programme_modules BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_programme_modules_delete AFTER DELETE ON programme_modules BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_titles_insert AFTER INSERT ON titles BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_titles_update AFTER UPDATE ON titles BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_titles_delete AFTER DELETE ON titles BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_cadres_insert AFTER INSERT ON cadres BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_cadres_update AFTER UPDATE ON cadres BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_cadres_delete AFTER DELETE ON cadres BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_cadre_units_insert AFTER INSERT ON cadre_units BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_cadre_units_update AFTER UPDATE ON cadre_units BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_cadre_units_delete AFTER DELETE ON cadre_units BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_title_assignments_insert AFTER INSERT ON title_assignments BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_title_assignments_update AFTER UPDATE ON title_assignments BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_title_assignments_delete AFTER DELETE ON title_assignments BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_succession_plans_insert AFTER INSERT ON succession_plans BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_succession_plans_update AFTER UPDATE ON succession_plans BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_succession_plans_delete AFTER DELETE ON succession_plans BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_cadre_qualifications_insert AFTER INSERT ON cadre_qualifications BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_cadre_qualifications_update AFTER UPDATE ON cadre_qualifications BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_cadre_qualifications_delete AFTER DELETE ON cadre_qualifications BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_classes_insert AFTER INSERT ON classes BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_classes_update AFTER UPDATE ON classes BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_classes_delete AFTER DELETE ON classes BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_class_sessions_insert AFTER INSERT ON class_sessions BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_class_sessions_update AFTER UPDATE ON class_sessions BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_class_sessions_delete AFTER DELETE ON class_sessions BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_enrolments_insert AFTER INSERT ON enrolments BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_enrolments_update AFTER UPDATE ON enrolments BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_enrolments_delete AFTER DELETE ON enrolments BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_attendance_insert AFTER INSERT ON attendance BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_attendance_update AFTER UPDATE ON attendance BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_attendance_delete AFTER DELETE ON attendance BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_completions_insert AFTER INSERT ON completions BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_completions_update AFTER UPDATE ON completions BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_completions_delete AFTER DELETE ON completions BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_feed_tokens_insert AFTER INSERT ON feed_tokens BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_feed_tokens_update AFTER UPDATE ON feed_tokens BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_feed_tokens_delete AFTER DELETE ON feed_tokens BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_standard_versions_insert AFTER INSERT ON standard_versions BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_standard_versions_update AFTER UPDATE ON standard_versions BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_standard_versions_delete AFTER DELETE ON standard_versions BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_standard_requirements_insert AFTER INSERT ON standard_requirements BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_standard_requirements_update AFTER UPDATE ON standard_requirements BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER data_version_standard_requirements_delete AFTER DELETE ON standard_requirements BEGIN UPDATE data_version SET version = version + 1; END;
