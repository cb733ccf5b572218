-- PostgreSQL only (its 0019 adds the timeline's index by holding and day, for the report of the
-- whole tree, where descending the unit key once per unit was most of the cost). SQLite's report
-- statement walks the subtree's units first and seeks each one's part of the key (a CROSS JOIN in
-- that order); nothing changes here: the file keeps both backends' migrations numbered alike.
SELECT 1;
