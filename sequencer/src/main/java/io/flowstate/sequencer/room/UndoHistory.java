package io.flowstate.sequencer.room;

import io.flowstate.shared.canvas.CanvasOp;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * One author's undo and redo stacks in one room, newest on top, at most {@code maxDepth} deep.
 * Derived from the op log (the author's recent ops with their {@code undo_of}/{@code redo_of}), so
 * it survives restarts, and kept current in memory as the author's ops commit: a new op is pushed
 * for undo and clears redo; an undo moves its target to the redo stack together with the undo op
 * (redoing reverts that undo op); a redo pushes the redo op for undo.
 */
final class UndoHistory {
  /** A committed op that undo/redo may revert: its version, the op and its recorded inverse. */
  record Entry(long version, CanvasOp op, CanvasOp inverse) {
  }

  /** An undone op ({@code undone}) and the undo op that reverted it. */
  record Undone(long undone, Entry undo) {
  }

  private final int maxDepth;
  private final Deque<Entry> undo = new ArrayDeque<>();
  private final Deque<Undone> redo = new ArrayDeque<>();

  UndoHistory(int maxDepth) {
    this.maxDepth = maxDepth;
  }

  /** A new op by the author (not an undo or redo). */
  void committed(Entry entry) {
    push(undo, entry);
    redo.clear();
  }

  /** The author's undo op {@code undoOp} reverted {@code target}. */
  void undone(long target, Entry undoOp) {
    remove(undo, target);
    push(redo, new Undone(target, undoOp));
  }

  /** The author's redo op {@code redoOp} re-applied the op {@code target}. */
  void redone(long target, Entry redoOp) {
    for (Iterator<Undone> it = redo.iterator(); it.hasNext(); ) {
      if (it.next().undone() == target) {
        it.remove();
        break;
      }
    }
    push(undo, redoOp);
  }

  Entry peekUndo() {
    return undo.peekFirst();
  }

  Undone peekRedo() {
    return redo.peekFirst();
  }

  /** Drops the top undo entry that has nothing left to revert. */
  void dropUndo() {
    undo.pollFirst();
  }

  void dropRedo() {
    redo.pollFirst();
  }

  private static void remove(Deque<Entry> stack, long version) {
    stack.removeIf(e -> e.version() == version);
  }

  private <T> void push(Deque<T> stack, T item) {
    stack.addFirst(item);
    while (stack.size() > maxDepth) {
      stack.pollLast();
    }
  }
}
