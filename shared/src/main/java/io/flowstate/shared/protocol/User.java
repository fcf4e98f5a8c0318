package io.flowstate.shared.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A connected person as the protocol shows it in {@code welcome} and {@code members}. */
public record User(String id, String name, String color) {
  private static final String[] COLORS = {
      "#e03131", "#2f9e44", "#1971c2", "#f08c00", "#9c36b5", "#0c8599", "#c2255c", "#5c940d"};

  /** The stable color of a user id (for cursors and member lists). */
  public static String colorFor(String userId) {
    return COLORS[Math.floorMod(userId.hashCode(), COLORS.length)];
  }

  public Author author() {
    return new Author(id, name);
  }

  public ObjectNode toJson() {
    return Json.object().put("id", id).put("name", name).put("color", color);
  }
}
