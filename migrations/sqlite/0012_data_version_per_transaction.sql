-- The data version moves once per write transaction instead of once per row (issue 18).
-- The triggers of 0007 and 0008 fired for every row written: a 100,000-cadre import ran 205,000
-- trigger programs. `Tx::commit` (src/db/mod.rs) now moves the counter once, in the committing
-- transaction, when that transaction changed rows other than its audit entries (SQLite's
-- total_changes() against what `Db::begin` noted; src/db/version.rs). Every write to the data
-- goes through a `Tx` (shape::data_writes_go_through_a_transaction checks the source); the logs
-- (audit_log, login_failures, login_known) move nothing a reader builds, as before. A later
-- migration that changes data must move the counter itself, as this one does.
DROP TRIGGER data_version_units_insert;
DROP TRIGGER data_version_units_update;
DROP TRIGGER data_version_units_delete;
DROP TRIGGER data_version_unit_history_insert;
DROP TRIGGER data_version_unit_history_update;
DROP TRIGGER data_version_unit_history_delete;
DROP TRIGGER data_version_accounts_insert;
DROP TRIGGER data_version_accounts_update;
DROP TRIGGER data_version_accounts_delete;
DROP TRIGGER data_version_qualification_scales_insert;
DROP TRIGGER data_version_qualification_scales_update;
DROP TRIGGER data_version_qualification_scales_delete;
DROP TRIGGER data_version_qualification_levels_insert;
DROP TRIGGER data_version_qualification_levels_update;
DROP TRIGGER data_version_qualification_levels_delete;
DROP TRIGGER data_version_modules_insert;
DROP TRIGGER data_version_modules_update;
DROP TRIGGER data_version_modules_delete;
DROP TRIGGER data_version_module_versions_insert;
DROP TRIGGER data_version_module_versions_update;
DROP TRIGGER data_version_module_versions_delete;
DROP TRIGGER data_version_module_prerequisites_insert;
DROP TRIGGER data_version_module_prerequisites_update;
DROP TRIGGER data_version_module_prerequisites_delete;
DROP TRIGGER data_version_programmes_insert;
DROP TRIGGER data_version_programmes_update;
DROP TRIGGER data_version_programmes_delete;
DROP TRIGGER data_version_programme_modules_insert;
DROP TRIGGER data_version_programme_modules_update;
DROP TRIGGER data_version_programme_modules_delete;
DROP TRIGGER data_version_titles_insert;
DROP TRIGGER data_version_titles_update;
DROP TRIGGER data_version_titles_delete;
DROP TRIGGER data_version_cadres_insert;
DROP TRIGGER data_version_cadres_update;
DROP TRIGGER data_version_cadres_delete;
DROP TRIGGER data_version_cadre_units_insert;
DROP TRIGGER data_version_cadre_units_update;
DROP TRIGGER data_version_cadre_units_delete;
DROP TRIGGER data_version_title_assignments_insert;
DROP TRIGGER data_version_title_assignments_update;
DROP TRIGGER data_version_title_assignments_delete;
DROP TRIGGER data_version_succession_plans_insert;
DROP TRIGGER data_version_succession_plans_update;
DROP TRIGGER data_version_succession_plans_delete;
DROP TRIGGER data_version_cadre_qualifications_insert;
DROP TRIGGER data_version_cadre_qualifications_update;
DROP TRIGGER data_version_cadre_qualifications_delete;
DROP TRIGGER data_version_classes_insert;
DROP TRIGGER data_version_classes_update;
DROP TRIGGER data_version_classes_delete;
DROP TRIGGER data_version_class_sessions_insert;
DROP TRIGGER data_version_class_sessions_update;
DROP TRIGGER data_version_class_sessions_delete;
DROP TRIGGER data_version_enrolments_insert;
DROP TRIGGER data_version_enrolments_update;
DROP TRIGGER data_version_enrolments_delete;
DROP TRIGGER data_version_attendance_insert;
DROP TRIGGER data_version_attendance_update;
DROP TRIGGER data_version_attendance_delete;
DROP TRIGGER data_version_completions_insert;
DROP TRIGGER data_version_completions_update;
DROP TRIGGER data_version_completions_delete;
DROP TRIGGER data_version_feed_tokens_insert;
DROP TRIGGER data_version_feed_tokens_update;
DROP TRIGGER data_version_feed_tokens_delete;
DROP TRIGGER data_version_standard_versions_insert;
DROP TRIGGER data_version_standard_versions_update;
DROP TRIGGER data_version_standard_versions_delete;
DROP TRIGGER data_version_standard_requirements_insert;
DROP TRIGGER data_version_standard_requirements_update;
DROP TRIGGER data_version_standard_requirements_delete;
DROP TRIGGER data_version_unit_periods_insert;
DROP TRIGGER data_version_unit_periods_update;
DROP TRIGGER data_version_unit_periods_delete;
DROP TRIGGER data_version_unit_successors_insert;
DROP TRIGGER data_version_unit_successors_update;
DROP TRIGGER data_version_unit_successors_delete;
UPDATE data_version SET version = version + 1;
