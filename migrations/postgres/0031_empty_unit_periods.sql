-- A unit period that lasts no day (a cadre moved twice on one day, before a move on a period's
-- first day replaced the period): it places the cadre nowhere, and the record exchange refuses it.
DELETE FROM cadre_units WHERE to_date IS NOT NULL AND to_date <= from_date;
