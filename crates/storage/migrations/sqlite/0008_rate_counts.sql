-- Counters of rate limits shared by every node (the public intake limit per address and
-- hour): one row per key and window, counted up atomically; old windows are swept.
CREATE TABLE rate_counts (
    key TEXT NOT NULL,
    window_no BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (key, window_no)
);
