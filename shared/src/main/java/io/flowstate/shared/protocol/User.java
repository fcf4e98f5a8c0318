package io.flowstate.shared.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A connected person as the protocol shows it in {@code welcome} and {@code members}. */
public record User(String id, String name, String color) {

  public Author author() {
    return new Author(id, name);
  }

  public ObjectNode toJson() {
    return Json.object().put("id", id).put("name", name).put("color", color);
  }
}
