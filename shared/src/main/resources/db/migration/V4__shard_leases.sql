-- FlowState schema v4: shard leases with fencing (many sequencers).
-- A sequencer orders the rooms of a shard only while it holds the shard's lease. Every commit
-- checks, in its own statement and under a row lock, that the committing sequencer still holds
-- the shard at the epoch it acquired; a takeover increments the epoch, so a paused or partitioned
-- former owner can never commit after it.

CREATE TABLE shard_leases (
  shard       int         PRIMARY KEY CHECK (shard >= 0),
  owner       text,
  epoch       bigint      NOT NULL DEFAULT 0,
  expires_at  timestamptz NOT NULL DEFAULT '-infinity'
);

-- Sequencers announce themselves here so that shards are balanced among the live ones.
CREATE TABLE sequencers (
  id       text        PRIMARY KEY,
  seen_at  timestamptz NOT NULL
);
