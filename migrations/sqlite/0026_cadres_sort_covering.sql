-- PostgreSQL's 0026 carries the list's filter columns in `cadres_sort` so that its name search
-- walks the index alone. SQLite's `cadres_sort` already holds the folded name (0024) and SQLite
-- plans a scoped list unit by unit (`cadres_unit`), so nothing changes here. This file keeps the
-- two backends' migrations in step.
SELECT 1;
