-- The cadre list (and its name search) takes its page from `cadres_sort` and then reads only that
-- page's rows. PostgreSQL tests a condition on an ordinary index scan only after fetching the row,
-- so a name search walked the heap in Vietnamese order: a given name sits in one stretch of that
-- order (the sort key begins with it), and `?q=thuy` fetched ~100,000 rows before its first match
-- (85 ms on the city data; BENCHMARKS.md, "The cadre list's name search on PostgreSQL"). With the
-- columns the list filters on carried in the index, the walk is index-only and tests them there.
-- Built beside the old one and renamed, so reads go on meanwhile (writes to `cadres` wait: about
-- 0.1 s for the city's data).
CREATE INDEX cadres_sort_covering ON cadres (sort_key, id) INCLUDE (name_folded, unit_code, organisation, active);
DROP INDEX cadres_sort;
ALTER INDEX cadres_sort_covering RENAME TO cadres_sort;
