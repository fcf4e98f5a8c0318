package io.flowstate.shared.access;

import io.flowstate.shared.protocol.ErrorCode;
import io.flowstate.shared.protocol.FlowStateException;

/**
 * What one user may do in one room, as PostgreSQL says: the room is an open guest room (no
 * canvas), a live canvas (with the user's effective role: the per-canvas override, else the
 * workspace role, else none), or a deleted canvas. The same decision runs at the gateway on join
 * and at the sequencer on every op, so a wrong gateway cannot let a viewer write.
 */
public record RoomAccess(String room, String user, Kind kind, String workspace, Role role) {

  /** The three kinds of room. */
  public enum Kind { OPEN, CANVAS, DELETED }

  /**
   * The role for joining and reading, or a {@link FlowStateException}: {@code not_found} for a
   * deleted canvas or (without guest access) a room that is not a canvas, {@code forbidden} for a
   * canvas the user has no role on. Open rooms give everyone {@code editor} when guests are allowed.
   */
  public Role readRole(boolean guestAccess) {
    return switch (kind) {
      case OPEN -> {
        if (!guestAccess) {
          throw new FlowStateException(ErrorCode.NOT_FOUND, "no canvas '" + room + "'");
        }
        yield Role.EDITOR;
      }
      case DELETED -> throw new FlowStateException(ErrorCode.NOT_FOUND, "canvas '" + room + "' was deleted");
      case CANVAS -> {
        if (role == null) {
          throw new FlowStateException(ErrorCode.FORBIDDEN, "you are not a member of canvas '" + room + "'");
        }
        yield role;
      }
    };
  }

  /** Like {@link #readRole}, and {@code forbidden} unless the role may commit ops. */
  public Role writeRole(boolean guestAccess) {
    Role r = readRole(guestAccess);
    if (!r.canEdit()) {
      throw new FlowStateException(ErrorCode.FORBIDDEN, "your role on this canvas is " + r.wire()
          + "; editing needs editor or owner");
    }
    return r;
  }

  /** Whether an {@link AccessChange} concerns this entry. */
  public boolean affectedBy(AccessChange change) {
    return (change.user() == null || change.user().equals(user))
        && (change.canvas() == null || change.canvas().equals(room))
        && (change.workspace() == null || change.workspace().equals(workspace));
  }
}
