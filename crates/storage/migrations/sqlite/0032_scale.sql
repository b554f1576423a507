-- The rules and the calendar are kept per node while their versions stand (storage::reference).
INSERT INTO data_versions (name, n) VALUES ('rules', 0), ('calendar', 0);
-- Newest first within a state: a page of published (or open) appeals walks each state's newest
-- and stops, instead of sorting every appeal in those states (a Beijing-year holds 24 million).
CREATE INDEX appeals_state_created ON appeals(state, created_at, id);
