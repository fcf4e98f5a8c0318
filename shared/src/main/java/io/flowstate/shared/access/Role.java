package io.flowstate.shared.access;

/**
 * What a member may do on a canvas, strongest first. Owners manage the workspace (members,
 * invites, deletion); editors change shapes and create canvases; commenters and viewers read and
 * see presence (comments come with the comments feature); nobody below editor commits ops.
 */
public enum Role {
  OWNER, EDITOR, COMMENTER, VIEWER;

  /** The role as written on the wire and in PostgreSQL, e.g. {@code editor}. */
  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether ops (create, update, delete, undo, redo) from this role may commit. */
  public boolean canEdit() {
    return this == OWNER || this == EDITOR;
  }

  /** Whether this role is {@code other} or stronger. */
  public boolean atLeast(Role other) {
    return ordinal() <= other.ordinal();
  }

  /** The role of a wire name, or null when the name is not a role. */
  public static Role parse(String wire) {
    if (wire == null) {
      return null;
    }
    for (Role r : values()) {
      if (r.wire().equals(wire)) {
        return r;
      }
    }
    return null;
  }
}
