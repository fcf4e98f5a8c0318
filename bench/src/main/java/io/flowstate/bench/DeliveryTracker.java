package io.flowstate.bench;

import java.util.TreeSet;

/**
 * Loss and order accounting of one client in one room. Versions of a room are 1, 2, 3 … and each
 * must arrive once, in order. A version above the next expected one opens a gap (its missing
 * versions are remembered); a missing version that arrives later is counted out of order and
 * closes that hole; a version at or below the last one that was not missing is a duplicate.
 * {@link #lost(long)} counts the holes still open plus the versions never received up to the
 * room's head. A resume from a snapshot ({@link #resetTo}) moves the start without counting loss.
 * Thread-safe (synchronized; the client's event loop is the only writer in practice).
 */
public final class DeliveryTracker {
  private long last;
  private long delivered;
  private long duplicates;
  private long outOfOrder;
  private long gapEvents;
  private final TreeSet<Long> missing = new TreeSet<>();

  /** Starts at {@code version}: the next expected event is version + 1. */
  public DeliveryTracker(long version) {
    this.last = version;
  }

  /** Accounts one received op event. */
  public synchronized void accept(long version) {
    delivered++;
    if (version == last + 1) {
      last = version;
    } else if (version > last + 1) {
      gapEvents++;
      for (long v = last + 1; v < version; v++) {
        missing.add(v);
      }
      last = version;
    } else if (missing.remove(version)) {
      outOfOrder++;
    } else {
      duplicates++;
    }
  }

  /** A `joined` with a snapshot at {@code version}: what is below it is now covered by the state. */
  public synchronized void resetTo(long version) {
    if (version > last) {
      last = version;
    }
    missing.headSet(version, true).clear();
  }

  /** The last version applied in order (what a resume sends as {@code since}). */
  public synchronized long last() {
    return last;
  }

  public synchronized long delivered() {
    return delivered;
  }

  public synchronized long duplicates() {
    return duplicates;
  }

  public synchronized long outOfOrder() {
    return outOfOrder;
  }

  public synchronized long gapEvents() {
    return gapEvents;
  }

  /** Versions up to {@code head} never received: open holes plus the missing tail. */
  public synchronized long lost(long head) {
    return missing.headSet(head, true).size() + Math.max(0, head - last);
  }
}
