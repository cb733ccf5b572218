-- The cadre list's name search walks the cadres in Vietnamese order (`cadres_sort`) and tests each
-- one's folded name. The sort key begins with the name, so a rare or late name (or a typo) is met
-- only after most of the cadres; with the folded name in the index SQLite tests it there and seeks
-- only the matches' rows (a name found nowhere on the city data: 104–143 ms before; BENCHMARKS.md,
-- "The cadre list's total"). The index serves every read the old one did (its first columns).
DROP INDEX cadres_sort;
CREATE INDEX cadres_sort ON cadres(sort_key, id, name_folded);
