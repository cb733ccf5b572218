-- The reference version (issue 18): a counter moved by every change to what the reports' reference
-- cache is built from — the standards (titles, their versions and requirements), the
-- qualification scales and levels, and the unit tree (units, unit_periods) — and by nothing else.
-- A report's standards, scales and places are kept per reference version (src/gaps/reference.rs),
-- so a completion, an enrolment or a move recorded anywhere leaves them cached; the data version
-- (0007) still moves with every write and still keys the rest (the record cache, the modules).
-- tests/api/reference_version.rs checks each table moves it and ordinary writes do not.
CREATE TABLE reference_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO reference_version (id, version) VALUES (1, 0);

CREATE TRIGGER reference_units_insert AFTER INSERT ON units BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER reference_units_update AFTER UPDATE ON units BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER reference_units_delete AFTER DELETE ON units BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER reference_unit_periods_insert AFTER INSERT ON unit_periods BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER reference_unit_periods_update AFTER UPDATE ON unit_periods BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER reference_unit_periods_delete AFTER DELETE ON unit_periods BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER reference_titles_insert AFTER INSERT ON titles BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER reference_titles_update AFTER UPDATE ON titles BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER reference_titles_delete AFTER DELETE ON titles BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER reference_standard_versions_insert AFTER INSERT ON standard_versions BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER reference_standard_versions_update AFTER UPDATE ON standard_versions BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER reference_standard_versions_delete AFTER DELETE ON standard_versions BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER reference_standard_requirements_insert AFTER INSERT ON standard_requirements BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER reference_standard_requirements_update AFTER UPDATE ON standard_requirements BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER reference_standard_requirements_delete AFTER DELETE ON standard_requirements BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER reference_qualification_scales_insert AFTER INSERT ON qualification_scales BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER reference_qualification_scales_update AFTER UPDATE ON qualification_scales BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER reference_qualification_scales_delete AFTER DELETE ON qualification_scales BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER reference_qualification_levels_insert AFTER INSERT ON qualification_levels BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER reference_qualification_levels_update AFTER UPDATE ON qualification_levels BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER reference_qualification_levels_delete AFTER DELETE ON qualification_levels BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END;
