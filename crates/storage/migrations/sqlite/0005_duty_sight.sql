-- 视野 (sight): one row per unit that sees a duty — its lead unit and each co-unit — carrying
-- the columns a unit's board and inbox filter, sort and count on. Kept by triggers in the same
-- transaction as every change to duties and duty_units, so a township reads its few thousand
-- rows from this one table (index only) instead of joining back to every duty it sees.
CREATE TABLE duty_sight (
    unit_id BIGINT NOT NULL,
    duty_id BIGINT NOT NULL,
    state TEXT NOT NULL,
    light TEXT NOT NULL,
    due TEXT NOT NULL,
    PRIMARY KEY (unit_id, duty_id)
) WITHOUT ROWID;
CREATE INDEX duty_sight_duty ON duty_sight(duty_id);

INSERT OR IGNORE INTO duty_sight (unit_id, duty_id, state, light, due)
    SELECT owner_unit_id, id, state, light, due FROM duties;
INSERT OR IGNORE INTO duty_sight (unit_id, duty_id, state, light, due)
    SELECT du.unit_id, d.id, d.state, d.light, d.due FROM duty_units du JOIN duties d ON d.id = du.duty_id;

CREATE TRIGGER duty_sight_duty_insert AFTER INSERT ON duties
BEGIN
    INSERT OR IGNORE INTO duty_sight (unit_id, duty_id, state, light, due) VALUES (NEW.owner_unit_id, NEW.id, NEW.state, NEW.light, NEW.due);
END;
CREATE TRIGGER duty_sight_duty_update AFTER UPDATE OF state, light, due ON duties
    WHEN OLD.state <> NEW.state OR OLD.light <> NEW.light OR OLD.due <> NEW.due
BEGIN
    UPDATE duty_sight SET state = NEW.state, light = NEW.light, due = NEW.due WHERE duty_id = NEW.id;
END;
CREATE TRIGGER duty_sight_owner_update AFTER UPDATE OF owner_unit_id ON duties
    WHEN OLD.owner_unit_id <> NEW.owner_unit_id
BEGIN
    DELETE FROM duty_sight WHERE unit_id = OLD.owner_unit_id AND duty_id = OLD.id
        AND NOT EXISTS (SELECT 1 FROM duty_units WHERE duty_id = OLD.id AND unit_id = OLD.owner_unit_id);
    INSERT OR IGNORE INTO duty_sight (unit_id, duty_id, state, light, due) VALUES (NEW.owner_unit_id, NEW.id, NEW.state, NEW.light, NEW.due);
END;
CREATE TRIGGER duty_sight_duty_delete AFTER DELETE ON duties
BEGIN
    DELETE FROM duty_sight WHERE duty_id = OLD.id;
END;
CREATE TRIGGER duty_sight_unit_insert AFTER INSERT ON duty_units
BEGIN
    INSERT OR IGNORE INTO duty_sight (unit_id, duty_id, state, light, due)
        SELECT NEW.unit_id, d.id, d.state, d.light, d.due FROM duties d WHERE d.id = NEW.duty_id;
END;
CREATE TRIGGER duty_sight_unit_delete AFTER DELETE ON duty_units
BEGIN
    DELETE FROM duty_sight WHERE unit_id = OLD.unit_id AND duty_id = OLD.duty_id
        AND NOT EXISTS (SELECT 1 FROM duties WHERE id = OLD.duty_id AND owner_unit_id = OLD.unit_id);
END;

-- The supervision office's review list (申请办结, soonest first) walks this index.
CREATE INDEX duties_state_due ON duties(state, due, id);
