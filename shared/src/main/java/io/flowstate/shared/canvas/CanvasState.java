package io.flowstate.shared.canvas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.FlowStateException;
import io.flowstate.shared.protocol.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shapes of one canvas by id. Mutable and not thread-safe: one room owns it and changes it
 * only through {@link Reducer}. Shape nodes inside are never mutated (a change replaces the node),
 * so {@link #copy()} shares them safely; everything handed out is a copy. The hash is cached.
 */
public final class CanvasState {
  private final Map<String, ObjectNode> shapes;
  /** Canonical UTF-8 form per stored node, by identity; stays valid because nodes never change. */
  private final Map<ObjectNode, byte[]> canonical;
  private String hash;

  private CanvasState(Map<String, ObjectNode> shapes, Map<ObjectNode, byte[]> canonical, String hash) {
    this.shapes = shapes;
    this.canonical = canonical;
    this.hash = hash;
  }

  public static CanvasState empty() {
    return new CanvasState(new HashMap<>(), new IdentityHashMap<>(), null);
  }

  /** Reads {@code {"shapes":[...]}} validated with the default limits; see {@link #fromJson(JsonNode, CanvasLimits)}. */
  public static CanvasState fromJson(JsonNode state) {
    return fromJson(state, CanvasLimits.defaults());
  }

  /**
   * Reads {@code {"shapes":[...]}} in any order, validating every shape as {@code create_shape}
   * would and rejecting duplicate ids; any fault is {@code invalid_op}. The shape count is not
   * limited here, so a stored canvas still loads after {@code maxShapes} is lowered.
   */
  public static CanvasState fromJson(JsonNode state, CanvasLimits limits) {
    if (state == null || !state.isObject() || state.size() != 1 || !state.has("shapes")) {
      throw Faults.invalid("a canvas state must be an object {\"shapes\": [...]}");
    }
    JsonNode array = state.get("shapes");
    if (!array.isArray()) {
      throw Faults.invalid("shapes must be an array");
    }
    ShapeSchema schema = new ShapeSchema(limits);
    Map<String, ObjectNode> shapes = new HashMap<>(Math.max(16, array.size() * 4 / 3 + 1));
    for (int i = 0; i < array.size(); i++) {
      String path = "shapes[" + i + "]";
      ObjectNode shape;
      try {
        shape = schema.shape(array.get(i), path);
      } catch (FlowStateException e) {
        throw Faults.invalid(e.getMessage());
      }
      String id = shape.get("id").textValue();
      if (shapes.putIfAbsent(id, shape) != null) {
        throw Faults.invalid(path + ".id '" + id + "' is a duplicate");
      }
    }
    return new CanvasState(shapes, new IdentityHashMap<>(), null);
  }

  /** An independent state with the same shapes; changing either never affects the other. */
  public CanvasState copy() {
    return new CanvasState(new HashMap<>(shapes), new IdentityHashMap<>(canonical), hash);
  }

  public int size() {
    return shapes.size();
  }

  public boolean contains(String id) {
    return shapes.containsKey(id);
  }

  /** A copy of the shape's JSON, or null when there is no shape {@code id}. */
  public ObjectNode shape(String id) {
    ObjectNode shape = shapes.get(id);
    return shape == null ? null : shape.deepCopy();
  }

  /** A fresh {@code {"shapes":[...]}} with the shapes sorted by id in code point order. */
  public ObjectNode toJson() {
    ArrayNode array = Json.array();
    for (ObjectNode shape : sorted()) {
      array.add(shape.deepCopy());
    }
    ObjectNode json = Json.object();
    json.set("shapes", array);
    return json;
  }

  /**
   * Lowercase hex SHA-256 of the UTF-8 RFC 8785 form of the sorted shapes array, as PROTOCOL.md
   * defines it; the empty canvas hashes {@code []}. Cached until the next change; after a change
   * it is O(n) for sorting and digesting, but only changed shapes are canonicalized again.
   */
  public String hash() {
    if (hash == null) {
      List<ObjectNode> sorted = sorted();
      List<byte[]> parts = new ArrayList<>(sorted.size());
      for (ObjectNode shape : sorted) {
        parts.add(canonical.computeIfAbsent(shape, CanvasHash::canonical));
      }
      hash = CanvasHash.of(parts);
    }
    return hash;
  }

  @Override
  public String toString() {
    return "CanvasState[shapes=" + shapes.size() + "]";
  }

  /** The stored node itself, which callers must not mutate. */
  ObjectNode node(String id) {
    return shapes.get(id);
  }

  /** Stores {@code shape} under {@code id}, or removes {@code id} when it is null. */
  void write(String id, ObjectNode shape) {
    ObjectNode old = shape == null ? shapes.remove(id) : shapes.put(id, shape);
    if (old != null && old != shape) {
      canonical.remove(old);
    }
    hash = null;
  }

  String cachedHash() {
    return hash;
  }

  /** Restores a hash cached earlier; only valid when the shapes are back to what they were then. */
  void restoreHash(String cached) {
    hash = cached;
  }

  private List<ObjectNode> sorted() {
    List<String> ids = new ArrayList<>(shapes.keySet());
    ids.sort(CodePointOrder.INSTANCE);
    List<ObjectNode> sorted = new ArrayList<>(ids.size());
    for (String id : ids) {
      sorted.add(shapes.get(id));
    }
    return sorted;
  }
}
