-- A qualifications import sent without a file name recorded its source as 'import: ' (a trailing
-- space), which the record exchange reads back trimmed and then reports as a differing row: the
-- source of those is 'import' alone, as the import now writes it.
UPDATE cadre_qualifications SET source_ref = 'import' WHERE source_ref = 'import: ';
