-- A cadre account's home unit is its cadre's current unit (checked when the account is written).
-- A move of the cadre (the API, a roster import, the record exchange, a merger of units) now
-- carries the account with it; accounts left behind by earlier moves are brought along once.
UPDATE accounts a
   SET unit_code = c.unit_code
  FROM cadres c
 WHERE c.id = a.cadre_id AND a.role = 'cadre' AND a.unit_code IS DISTINCT FROM c.unit_code;

CREATE FUNCTION cadre_account_unit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts SET unit_code = NEW.unit_code WHERE cadre_id = NEW.id AND role = 'cadre';
    RETURN NULL;
END $$;

CREATE TRIGGER cadre_account_unit AFTER UPDATE OF unit_code ON cadres
    FOR EACH ROW WHEN (NEW.unit_code IS DISTINCT FROM OLD.unit_code)
    EXECUTE FUNCTION cadre_account_unit();
