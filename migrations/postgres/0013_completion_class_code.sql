-- Issue 15, records that survive a round trip.
--
-- A class completion brought in by the record exchange from another database keeps the code of
-- its class even when that class is not here (class_id NULL): the record's export shows
-- COALESCE(the linked class's code, class_code), so the completion re-exports as it came.
ALTER TABLE completions ADD COLUMN class_code TEXT;
