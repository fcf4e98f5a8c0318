-- FlowState schema v3: accounts, refresh tokens, workspaces, canvases, roles and invites.
-- A canvas is a room: canvases.id is the room id of its op log. A room without a canvas row is
-- an open guest room (dev mode only). Deleting a canvas sets deleted_at; its log stays until purged.

CREATE TABLE users (
  id               text        PRIMARY KEY,
  email            text        UNIQUE,          -- lower-cased; null for identity-provider users without one
  password_hash    text,                        -- bcrypt; null for identity-provider users
  name             text        NOT NULL,
  color            text        NOT NULL,
  tokens_not_before timestamptz,                -- logout-all: access tokens issued before are refused
  created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE refresh_tokens (
  id           uuid        PRIMARY KEY,
  user_id      text        NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  family       uuid        NOT NULL,           -- one login; re-use of a rotated token revokes the family
  token_hash   bytea       NOT NULL UNIQUE,    -- SHA-256 of the opaque token; the token is never stored
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz,
  replaced_by  uuid,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);

CREATE TABLE workspaces (
  id          text        PRIMARY KEY,
  name        text        NOT NULL,
  created_by  text        NOT NULL REFERENCES users(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  deleted_at  timestamptz
);

CREATE TABLE workspace_members (
  workspace_id text        NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  user_id      text        NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role         text        NOT NULL CHECK (role IN ('owner', 'editor', 'commenter', 'viewer')),
  added_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX workspace_members_user ON workspace_members (user_id);

CREATE TABLE canvases (
  id           text        PRIMARY KEY,
  workspace_id text        NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name         text        NOT NULL,
  created_by   text        NOT NULL REFERENCES users(id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  deleted_at   timestamptz
);
CREATE INDEX canvases_workspace ON canvases (workspace_id);

CREATE TABLE canvas_roles (
  canvas_id  text NOT NULL REFERENCES canvases(id) ON DELETE CASCADE,
  user_id    text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role       text NOT NULL CHECK (role IN ('owner', 'editor', 'commenter', 'viewer')),
  PRIMARY KEY (canvas_id, user_id)
);
CREATE INDEX canvas_roles_user ON canvas_roles (user_id);

CREATE TABLE invites (
  id           uuid        PRIMARY KEY,
  workspace_id text        NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  token_hash   bytea       NOT NULL UNIQUE,
  role         text        NOT NULL CHECK (role IN ('owner', 'editor', 'commenter', 'viewer')),
  created_by   text        NOT NULL REFERENCES users(id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz
);
CREATE INDEX invites_workspace ON invites (workspace_id);
