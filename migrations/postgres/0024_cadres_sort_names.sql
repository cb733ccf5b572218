-- SQLite's 0024 puts the folded name in `cadres_sort` so that its name search tests names in the
-- index. PostgreSQL tests a filter only after fetching the row in an ordinary index scan, so the
-- wider index would cost its writes and give nothing (BENCHMARKS.md, "The cadre list's total"):
-- its `cadres_sort` stays as it is. This file keeps the two backends' migrations in step.
SELECT 1;
