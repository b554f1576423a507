-- 考核与驾驶舱 (issue 19): the cockpit reads counters, never counts rows. Every duty's record
-- gains when it was opened and closed, whether it closed late, its kind's grade (an appeal's
-- rating, a hazard's 一般/重大) and whether it went wrong once (重办, 退回); `duty_counts` holds
-- how many records stand in each bucket: period '' for what stands now (by state, light,
-- grade, lead), 'YYYY-MM' (Beijing time) for what happened in a month (opened; closed on time,
-- late or without a limit). The core's writer moves them in the same transaction as each
-- change; `luoshi assess verify` recomputes them from the records.
ALTER TABLE duty_records ADD COLUMN opened_at BIGINT;
ALTER TABLE duty_records ADD COLUMN closed_at BIGINT;
ALTER TABLE duty_records ADD COLUMN late BIGINT;
ALTER TABLE duty_records ADD COLUMN grade TEXT NOT NULL DEFAULT '';
ALTER TABLE duty_records ADD COLUMN flagged BIGINT NOT NULL DEFAULT 0;
-- What the records already held: the last change stands for when they opened and closed.
UPDATE duty_records SET opened_at = updated_at WHERE phase <> 'drafted';
UPDATE duty_records SET closed_at = updated_at, late = CASE WHEN due_at IS NULL THEN NULL WHEN updated_at > due_at THEN 1 ELSE 0 END WHERE phase = 'done';

CREATE TABLE duty_counts (
    kind TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    lead_user_id BIGINT NOT NULL,
    period TEXT NOT NULL,
    event TEXT NOT NULL,
    state TEXT NOT NULL,
    light TEXT NOT NULL,
    grade TEXT NOT NULL,
    flagged BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (kind, unit_id, lead_user_id, period, event, state, light, grade, flagged)
);
INSERT INTO duty_counts (kind, unit_id, lead_user_id, period, event, state, light, grade, flagged, n)
    SELECT kind, COALESCE(owner_unit_id, 0), COALESCE(lead_user_id, 0), '', 'now', state, light, grade, flagged, COUNT(*)
    FROM duty_records GROUP BY kind, COALESCE(owner_unit_id, 0), COALESCE(lead_user_id, 0), state, light, grade, flagged;
INSERT INTO duty_counts (kind, unit_id, lead_user_id, period, event, state, light, grade, flagged, n)
    SELECT kind, COALESCE(owner_unit_id, 0), 0, strftime('%Y-%m', opened_at / 1000000 + 28800, 'unixepoch'), 'opened', '', '', '', 0, COUNT(*)
    FROM duty_records WHERE opened_at IS NOT NULL GROUP BY kind, COALESCE(owner_unit_id, 0), strftime('%Y-%m', opened_at / 1000000 + 28800, 'unixepoch');
INSERT INTO duty_counts (kind, unit_id, lead_user_id, period, event, state, light, grade, flagged, n)
    SELECT kind, COALESCE(owner_unit_id, 0), 0, strftime('%Y-%m', closed_at / 1000000 + 28800, 'unixepoch'),
        CASE late WHEN 1 THEN 'late' WHEN 0 THEN 'on_time' ELSE 'closed' END, '', '', grade, flagged, COUNT(*)
    FROM duty_records WHERE closed_at IS NOT NULL
    GROUP BY kind, COALESCE(owner_unit_id, 0), strftime('%Y-%m', closed_at / 1000000 + 28800, 'unixepoch'), CASE late WHEN 1 THEN 'late' WHEN 0 THEN 'on_time' ELSE 'closed' END, grade, flagged;
-- The records behind a cockpit's figure: a kind's, of some units, opened or closed in a period.
CREATE INDEX duty_records_opened ON duty_records(kind, owner_unit_id, opened_at);
CREATE INDEX duty_records_closed ON duty_records(kind, owner_unit_id, closed_at);
