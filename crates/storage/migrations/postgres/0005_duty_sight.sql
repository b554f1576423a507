-- 视野 (sight): one row per unit that sees a duty — its lead unit and each co-unit — carrying
-- the columns a unit's board and inbox filter, sort and count on. Kept by triggers in the same
-- transaction as every change to duties and duty_units, so a township reads its few thousand
-- rows from this one table instead of joining back to every duty it sees.
CREATE TABLE duty_sight (
    unit_id BIGINT NOT NULL,
    duty_id BIGINT NOT NULL,
    state TEXT NOT NULL,
    light TEXT NOT NULL,
    due TEXT NOT NULL,
    PRIMARY KEY (unit_id, duty_id)
);
CREATE INDEX duty_sight_duty ON duty_sight(duty_id);

INSERT INTO duty_sight (unit_id, duty_id, state, light, due)
    SELECT owner_unit_id, id, state, light, due FROM duties
    ON CONFLICT DO NOTHING;
INSERT INTO duty_sight (unit_id, duty_id, state, light, due)
    SELECT du.unit_id, d.id, d.state, d.light, d.due FROM duty_units du JOIN duties d ON d.id = du.duty_id
    ON CONFLICT DO NOTHING;

CREATE FUNCTION duty_sight_of_duty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO duty_sight (unit_id, duty_id, state, light, due) VALUES (NEW.owner_unit_id, NEW.id, NEW.state, NEW.light, NEW.due)
            ON CONFLICT DO NOTHING;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM duty_sight WHERE duty_id = OLD.id;
    ELSE
        IF OLD.owner_unit_id IS DISTINCT FROM NEW.owner_unit_id THEN
            DELETE FROM duty_sight WHERE unit_id = OLD.owner_unit_id AND duty_id = OLD.id
                AND NOT EXISTS (SELECT 1 FROM duty_units WHERE duty_id = OLD.id AND unit_id = OLD.owner_unit_id);
            INSERT INTO duty_sight (unit_id, duty_id, state, light, due) VALUES (NEW.owner_unit_id, NEW.id, NEW.state, NEW.light, NEW.due)
                ON CONFLICT DO NOTHING;
        END IF;
        IF OLD.state IS DISTINCT FROM NEW.state OR OLD.light IS DISTINCT FROM NEW.light OR OLD.due IS DISTINCT FROM NEW.due THEN
            UPDATE duty_sight SET state = NEW.state, light = NEW.light, due = NEW.due WHERE duty_id = NEW.id;
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER duty_sight_of_duty AFTER INSERT OR DELETE OR UPDATE OF state, light, due, owner_unit_id ON duties
    FOR EACH ROW EXECUTE FUNCTION duty_sight_of_duty();

CREATE FUNCTION duty_sight_of_unit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO duty_sight (unit_id, duty_id, state, light, due)
            SELECT NEW.unit_id, d.id, d.state, d.light, d.due FROM duties d WHERE d.id = NEW.duty_id
            ON CONFLICT DO NOTHING;
    ELSE
        DELETE FROM duty_sight WHERE unit_id = OLD.unit_id AND duty_id = OLD.duty_id
            AND NOT EXISTS (SELECT 1 FROM duties WHERE id = OLD.duty_id AND owner_unit_id = OLD.unit_id);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER duty_sight_of_unit AFTER INSERT OR DELETE ON duty_units
    FOR EACH ROW EXECUTE FUNCTION duty_sight_of_unit();

-- The supervision office's review list (申请办结, soonest first) walks this index.
CREATE INDEX duties_state_due ON duties(state, due, id);
