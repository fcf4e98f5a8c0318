package io.flowstate.sequencer.room;

import io.flowstate.shared.canvas.CanvasState;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A room as its sequencer holds it in memory: the state at {@code head}, and the recent client op
 * ids (author + id → version) used to answer retries without a database round trip. When the
 * room's whole history fits in that cache, {@code keysComplete} says a miss is a definite miss.
 */
final class Room {
  final String id;
  final CanvasState state;
  long head;
  long lastUsed;
  /** Version and time of the latest snapshot written (or found at load). */
  long snapshotVersion;
  long snapshotAt = System.currentTimeMillis();
  boolean snapshotting;
  /** Undo/redo history per author, loaded from the op log on an author's first undo/redo. */
  final Map<String, UndoHistory> histories = new java.util.HashMap<>();
  private boolean keysComplete;
  private final LinkedHashMap<String, Long> recent;

  Room(String id, CanvasState state, long head, Map<String, Long> loadedKeys, boolean keysComplete,
      int cacheSize) {
    this.id = id;
    this.state = state;
    this.head = head;
    this.keysComplete = keysComplete;
    this.recent = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
        if (size() > cacheSize) {
          Room.this.keysComplete = false;
          return true;
        }
        return false;
      }
    };
    this.recent.putAll(loadedKeys);
  }

  static String key(String authorId, String clientOpId) {
    return authorId + '\u0000' + clientOpId;
  }

  /** The committed version of a client op id, if known in memory. */
  Long committedVersion(String key) {
    return recent.get(key);
  }

  /** Whether a miss in {@link #committedVersion} proves the id was never committed. */
  boolean keysComplete() {
    return keysComplete;
  }

  void remember(String key, long version) {
    recent.put(key, version);
  }
}
