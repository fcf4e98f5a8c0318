-- FlowState schema v2: room snapshots (fast joins and time travel) and per-author history
-- (undo/redo stacks are derived from each author's recent ops).

CREATE TABLE snapshots (
  room        text        NOT NULL,
  version     bigint      NOT NULL CHECK (version >= 1),
  state       jsonb       NOT NULL,
  hash        text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT snapshots_pkey PRIMARY KEY (room, version)
);

CREATE INDEX ops_room_author_version_idx ON ops (room, author, version);
