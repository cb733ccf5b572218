-- A cadre account's home unit is its cadre's current unit (checked when the account is written).
-- A move of the cadre (the API, a roster import, the record exchange, a merger of units) now
-- carries the account with it; accounts left behind by earlier moves are brought along once.
UPDATE accounts
   SET unit_code = (SELECT c.unit_code FROM cadres c WHERE c.id = accounts.cadre_id)
 WHERE role = 'cadre' AND cadre_id IS NOT NULL
   AND unit_code IS NOT (SELECT c.unit_code FROM cadres c WHERE c.id = accounts.cadre_id);

CREATE TRIGGER cadre_account_unit AFTER UPDATE OF unit_code ON cadres
WHEN NEW.unit_code IS NOT OLD.unit_code
BEGIN
    UPDATE accounts SET unit_code = NEW.unit_code WHERE cadre_id = NEW.id AND role = 'cadre';
END;
