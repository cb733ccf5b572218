-- The per-holder status timeline (issue 18). For every title assignment and planned succession,
-- the intervals over which its assessment is constant: the unit the holder is counted in, the
-- standard version in force, the requirements not met, and the holder's demographic keys. A gap
-- report as of D is one read of the intervals containing D in the subtree (src/gaps/timeline.rs
-- builds them with the gap engine; src/gaps/timeline_store.rs keeps them).
--
-- Kept by every write in its own transaction: triggers on the facts a timeline is built from put
-- the cadres whose facts moved into timeline_dirty, and the commit (db::Tx::commit) rebuilds
-- those cadres' timelines and empties it before committing. `rebuild-timelines` (CLI) recomputes
-- everything.
-- to_date is the first day after the interval, 9999-12-31 while it is open; the key starts with
-- (unit, end), so a report as of D reads of each unit only the intervals ending after D (for
-- today: the current ones).
CREATE TABLE holder_timeline (
    holding          TEXT NOT NULL CHECK (holding IN ('incumbent', 'planned')),
    period_id        INTEGER NOT NULL,
    cadre_id         INTEGER NOT NULL,
    title_code       TEXT NOT NULL,
    org_kind         TEXT NOT NULL,
    unit_code        TEXT NOT NULL,
    from_date        TEXT NOT NULL,
    to_date          TEXT NOT NULL,
    standard_version INTEGER,
    unmet            TEXT NOT NULL,
    gender           TEXT NOT NULL,
    birth_date       TEXT NOT NULL,
    ethnic_minority  BOOLEAN NOT NULL,
    PRIMARY KEY (unit_code, to_date, from_date, holding, period_id)
) WITHOUT ROWID;
CREATE INDEX holder_timeline_cadre ON holder_timeline(cadre_id);

-- Cadres whose timelines the writing transaction must rebuild before it commits.
CREATE TABLE timeline_dirty (
    tx       INTEGER NOT NULL,
    cadre_id INTEGER NOT NULL,
    PRIMARY KEY (tx, cadre_id)
) WITHOUT ROWID;

-- A cadre with no title and no plan has no timeline: facts of such cadres mark nothing (the
-- first title or plan marks the cadre, and its timeline is built from all its facts then).
CREATE TRIGGER timeline_completions_insert AFTER INSERT ON completions
WHEN EXISTS (SELECT 1 FROM title_assignments WHERE cadre_id = NEW.cadre_id) OR EXISTS (SELECT 1 FROM succession_plans WHERE cadre_id = NEW.cadre_id)
BEGIN INSERT OR IGNORE INTO timeline_dirty VALUES (0, NEW.cadre_id); END;
CREATE TRIGGER timeline_completions_update AFTER UPDATE OF cadre_id, module_id, completed_on, revoked_on ON completions
BEGIN INSERT OR IGNORE INTO timeline_dirty VALUES (0, NEW.cadre_id), (0, OLD.cadre_id); END;
CREATE TRIGGER timeline_completions_delete AFTER DELETE ON completions
BEGIN INSERT OR IGNORE INTO timeline_dirty VALUES (0, OLD.cadre_id); END;

CREATE TRIGGER timeline_qualifications_insert AFTER INSERT ON cadre_qualifications
WHEN EXISTS (SELECT 1 FROM title_assignments WHERE cadre_id = NEW.cadre_id) OR EXISTS (SELECT 1 FROM succession_plans WHERE cadre_id = NEW.cadre_id)
BEGIN INSERT OR IGNORE INTO timeline_dirty VALUES (0, NEW.cadre_id); END;
CREATE TRIGGER timeline_qualifications_update AFTER UPDATE OF cadre_id, scale_code, level_code, obtained_on, revoked_on ON cadre_qualifications
BEGIN INSERT OR IGNORE INTO timeline_dirty VALUES (0, NEW.cadre_id), (0, OLD.cadre_id); END;
CREATE TRIGGER timeline_qualifications_delete AFTER DELETE ON cadre_qualifications
BEGIN INSERT OR IGNORE INTO timeline_dirty VALUES (0, OLD.cadre_id); END;

CREATE TRIGGER timeline_cadre_units_insert AFTER INSERT ON cadre_units
WHEN EXISTS (SELECT 1 FROM title_assignments WHERE cadre_id = NEW.cadre_id) OR EXISTS (SELECT 1 FROM succession_plans WHERE cadre_id = NEW.cadre_id)
BEGIN INSERT OR IGNORE INTO timeline_dirty VALUES (0, NEW.cadre_id); END;
CREATE TRIGGER timeline_cadre_units_update AFTER UPDATE OF cadre_id, unit_code, from_date, to_date ON cadre_units
BEGIN INSERT OR IGNORE INTO timeline_dirty VALUES (0, NEW.cadre_id), (0, OLD.cadre_id); END;
CREATE TRIGGER timeline_cadre_units_delete AFTER DELETE ON cadre_units
BEGIN INSERT OR IGNORE INTO timeline_dirty VALUES (0, OLD.cadre_id); END;

CREATE TRIGGER timeline_cadres_update AFTER UPDATE OF gender, birth_date, ethnic_minority, party_joined_on ON cadres
BEGIN INSERT OR IGNORE INTO timeline_dirty VALUES (0, NEW.id); END;
CREATE TRIGGER timeline_cadres_delete AFTER DELETE ON cadres
BEGIN INSERT OR IGNORE INTO timeline_dirty VALUES (0, OLD.id); END;

CREATE TRIGGER timeline_title_assignments_insert AFTER INSERT ON title_assignments
BEGIN INSERT OR IGNORE INTO timeline_dirty VALUES (0, NEW.cadre_id); END;
CREATE TRIGGER timeline_title_assignments_update AFTER UPDATE ON title_assignments
BEGIN INSERT OR IGNORE INTO timeline_dirty VALUES (0, NEW.cadre_id), (0, OLD.cadre_id); END;
CREATE TRIGGER timeline_title_assignments_delete AFTER DELETE ON title_assignments
BEGIN INSERT OR IGNORE INTO timeline_dirty VALUES (0, OLD.cadre_id); END;

CREATE TRIGGER timeline_succession_plans_insert AFTER INSERT ON succession_plans
BEGIN INSERT OR IGNORE INTO timeline_dirty VALUES (0, NEW.cadre_id); END;
CREATE TRIGGER timeline_succession_plans_update AFTER UPDATE ON succession_plans
BEGIN INSERT OR IGNORE INTO timeline_dirty VALUES (0, NEW.cadre_id), (0, OLD.cadre_id); END;
CREATE TRIGGER timeline_succession_plans_delete AFTER DELETE ON succession_plans
BEGIN INSERT OR IGNORE INTO timeline_dirty VALUES (0, OLD.cadre_id); END;

-- A title's code or organisation kind is carried in its holders' intervals.
CREATE TRIGGER timeline_titles_update AFTER UPDATE OF code, org_kind ON titles
BEGIN
    INSERT OR IGNORE INTO timeline_dirty SELECT 0, cadre_id FROM title_assignments WHERE title_id = NEW.id;
    INSERT OR IGNORE INTO timeline_dirty SELECT 0, cadre_id FROM succession_plans WHERE title_id = NEW.id;
END;

-- Publishing (or changing) a standard version recomputes its title's holders.
CREATE TRIGGER timeline_standard_versions_insert AFTER INSERT ON standard_versions
BEGIN
    INSERT OR IGNORE INTO timeline_dirty SELECT 0, cadre_id FROM title_assignments WHERE title_id = NEW.title_id;
    INSERT OR IGNORE INTO timeline_dirty SELECT 0, cadre_id FROM succession_plans WHERE title_id = NEW.title_id;
END;
CREATE TRIGGER timeline_standard_versions_update AFTER UPDATE ON standard_versions
BEGIN
    INSERT OR IGNORE INTO timeline_dirty SELECT 0, cadre_id FROM title_assignments WHERE title_id IN (NEW.title_id, OLD.title_id);
    INSERT OR IGNORE INTO timeline_dirty SELECT 0, cadre_id FROM succession_plans WHERE title_id IN (NEW.title_id, OLD.title_id);
END;
CREATE TRIGGER timeline_standard_versions_delete AFTER DELETE ON standard_versions
BEGIN
    INSERT OR IGNORE INTO timeline_dirty SELECT 0, cadre_id FROM title_assignments WHERE title_id = OLD.title_id;
    INSERT OR IGNORE INTO timeline_dirty SELECT 0, cadre_id FROM succession_plans WHERE title_id = OLD.title_id;
END;
CREATE TRIGGER timeline_standard_requirements_insert AFTER INSERT ON standard_requirements
BEGIN
    INSERT OR IGNORE INTO timeline_dirty SELECT 0, a.cadre_id FROM title_assignments a JOIN standard_versions v ON v.title_id = a.title_id WHERE v.id = NEW.version_id;
    INSERT OR IGNORE INTO timeline_dirty SELECT 0, a.cadre_id FROM succession_plans a JOIN standard_versions v ON v.title_id = a.title_id WHERE v.id = NEW.version_id;
END;
CREATE TRIGGER timeline_standard_requirements_update AFTER UPDATE ON standard_requirements
BEGIN
    INSERT OR IGNORE INTO timeline_dirty SELECT 0, a.cadre_id FROM title_assignments a JOIN standard_versions v ON v.title_id = a.title_id WHERE v.id IN (NEW.version_id, OLD.version_id);
    INSERT OR IGNORE INTO timeline_dirty SELECT 0, a.cadre_id FROM succession_plans a JOIN standard_versions v ON v.title_id = a.title_id WHERE v.id IN (NEW.version_id, OLD.version_id);
END;
CREATE TRIGGER timeline_standard_requirements_delete AFTER DELETE ON standard_requirements
BEGIN
    INSERT OR IGNORE INTO timeline_dirty SELECT 0, a.cadre_id FROM title_assignments a JOIN standard_versions v ON v.title_id = a.title_id WHERE v.id = OLD.version_id;
    INSERT OR IGNORE INTO timeline_dirty SELECT 0, a.cadre_id FROM succession_plans a JOIN standard_versions v ON v.title_id = a.title_id WHERE v.id = OLD.version_id;
END;

-- The ranks of a scale's levels decide whether a min_level requirement is met: a change marks
-- every holder (reference data; it changes rarely).
CREATE TRIGGER timeline_levels_insert AFTER INSERT ON qualification_levels
BEGIN
    INSERT OR IGNORE INTO timeline_dirty SELECT 0, cadre_id FROM title_assignments;
    INSERT OR IGNORE INTO timeline_dirty SELECT 0, cadre_id FROM succession_plans;
END;
CREATE TRIGGER timeline_levels_update AFTER UPDATE OF scale_code, code, rank ON qualification_levels
BEGIN
    INSERT OR IGNORE INTO timeline_dirty SELECT 0, cadre_id FROM title_assignments;
    INSERT OR IGNORE INTO timeline_dirty SELECT 0, cadre_id FROM succession_plans;
END;
CREATE TRIGGER timeline_levels_delete AFTER DELETE ON qualification_levels
BEGIN
    INSERT OR IGNORE INTO timeline_dirty SELECT 0, cadre_id FROM title_assignments;
    INSERT OR IGNORE INTO timeline_dirty SELECT 0, cadre_id FROM succession_plans;
END;

-- A module's code is how requirements name it.
CREATE TRIGGER timeline_modules_update AFTER UPDATE OF code ON modules
BEGIN
    INSERT OR IGNORE INTO timeline_dirty SELECT 0, c.cadre_id FROM completions c WHERE c.module_id = NEW.id
        AND (EXISTS (SELECT 1 FROM title_assignments WHERE cadre_id = c.cadre_id) OR EXISTS (SELECT 1 FROM succession_plans WHERE cadre_id = c.cadre_id));
END;

-- Holders recorded before this migration: their timelines are built at the next start (tx 0 is
-- the backlog, rebuilt by `gaps::timeline_store::flush_backlog`).
INSERT OR IGNORE INTO timeline_dirty SELECT 0, cadre_id FROM title_assignments;
INSERT OR IGNORE INTO timeline_dirty SELECT 0, cadre_id FROM succession_plans;
