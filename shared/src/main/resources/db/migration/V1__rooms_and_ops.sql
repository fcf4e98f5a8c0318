-- FlowState schema v1: rooms and their op log.
-- Invariant 1: per room, versions are 1, 2, 3 ... with no gap and no repeat (primary key),
-- and a client op id commits at most once per author and room (unique constraint).

CREATE TABLE rooms (
  id          text        PRIMARY KEY,
  head        bigint      NOT NULL DEFAULT 0 CHECK (head >= 0),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ops (
  room          text        NOT NULL,
  version       bigint      NOT NULL CHECK (version >= 1),
  author        text        NOT NULL,
  author_name   text        NOT NULL,
  client_op_id  text        NOT NULL,
  op            jsonb       NOT NULL,
  inverse       jsonb       NOT NULL,
  undo_of       bigint,
  redo_of       bigint,
  committed_at  timestamptz NOT NULL,
  CONSTRAINT ops_pkey PRIMARY KEY (room, version),
  CONSTRAINT ops_client_op_id_key UNIQUE (room, author, client_op_id)
);
