-- A task and everything under it on the shard of its id (issue 12): its co-units, milestones,
-- reports, attachments, notices and exemptions are keyed by the duty first, so a distributed
-- engine checks their keys on that shard, and their keys to the task stay (same shard). Keys
-- that would cross shards go and are checked by the application in the writing transaction:
-- a task's parent task and directive, an exemption's notice, an incentive's task.
ALTER TABLE duties DROP CONSTRAINT duties_parent_id_fkey;
ALTER TABLE duties DROP CONSTRAINT duties_directive_id_fkey;
ALTER TABLE duty_milestones DROP CONSTRAINT duty_milestones_pkey;
ALTER TABLE duty_milestones ADD PRIMARY KEY (duty_id, id);
ALTER TABLE duty_reports DROP CONSTRAINT duty_reports_pkey;
ALTER TABLE duty_reports ADD PRIMARY KEY (duty_id, id);
ALTER TABLE attachments DROP CONSTRAINT attachments_pkey;
ALTER TABLE attachments ADD PRIMARY KEY (duty_id, id);
ALTER TABLE exemptions DROP CONSTRAINT exemptions_notice_id_fkey;
ALTER TABLE exemptions DROP CONSTRAINT exemptions_pkey;
ALTER TABLE exemptions ADD PRIMARY KEY (duty_id, id);
ALTER TABLE notices DROP CONSTRAINT notices_pkey;
ALTER TABLE notices ADD PRIMARY KEY (ref_id, id);
ALTER TABLE incentives DROP CONSTRAINT incentives_duty_id_fkey;
