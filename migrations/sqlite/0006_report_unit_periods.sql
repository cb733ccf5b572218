-- Covering: a gap report finds each title holder's unit on D from this index alone (index-only
-- scans on PostgreSQL, no table lookups on SQLite). It replaces the narrower (cadre_id, from_date).
DROP INDEX cadre_units_cadre;
CREATE INDEX cadre_units_cadre ON cadre_units(cadre_id, from_date, to_date, unit_code);
