-- PostgreSQL only (its 0021 adds the holders' names to the timeline's index by holding and day).
-- SQLite's reads seek the subtree's units in the key, which carries the names since 0020; nothing
-- changes here: the file keeps both backends' migrations numbered alike.
SELECT 1;
