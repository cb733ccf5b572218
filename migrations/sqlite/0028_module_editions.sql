-- Module editions: the terms of every version of a module that completions and classes follow
-- (titles and validity), so that editing a module never rewrites what was recorded under an
-- earlier version. Until now a completion's status, its last valid day, the stale-soon reminders,
-- the prerequisite check and the certificate's printed title read the module's current row:
-- changing a module's validity turned earlier completions stale (or valid), and renaming it
-- reprinted every certificate. The current version is written here by every create and edit
-- (src/curriculum/store.rs); earlier ones are read back from the snapshots of module_versions.
CREATE TABLE module_editions (
    module_id      INTEGER NOT NULL REFERENCES modules(id),
    version        INTEGER NOT NULL,
    title_vi       TEXT NOT NULL,
    title_en       TEXT NOT NULL,
    validity_years INTEGER CHECK (validity_years IS NULL OR validity_years > 0),
    PRIMARY KEY (module_id, version)
);

INSERT INTO module_editions (module_id, version, title_vi, title_en, validity_years)
SELECT id, version, title_vi, title_en, validity_years FROM modules;

INSERT INTO module_editions (module_id, version, title_vi, title_en, validity_years)
SELECT v.module_id, v.version,
       COALESCE(json_extract(v.snapshot, '$.title_vi'), m.title_vi),
       COALESCE(json_extract(v.snapshot, '$.title_en'), m.title_en),
       json_extract(v.snapshot, '$.validity_years')
FROM module_versions v JOIN modules m ON m.id = v.module_id
WHERE json_valid(v.snapshot) AND NOT EXISTS (SELECT 1 FROM module_editions e WHERE e.module_id = v.module_id AND e.version = v.version);

-- A version named by a completion or a class but kept nowhere (none should be): the current terms.
INSERT INTO module_editions (module_id, version, title_vi, title_en, validity_years)
SELECT DISTINCT f.module_id, f.module_version, m.title_vi, m.title_en, m.validity_years
FROM (SELECT module_id, module_version FROM completions
      UNION SELECT module_id, module_version FROM classes) f
JOIN modules m ON m.id = f.module_id
WHERE NOT EXISTS (SELECT 1 FROM module_editions e WHERE e.module_id = f.module_id AND e.version = f.module_version);

-- What the app servers built from the data may differ now (src/db/version.rs).
UPDATE data_version SET version = version + 1;
