package io.flowstate.shared.canvas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.ErrorCode;
import io.flowstate.shared.protocol.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random op JSON for property tests, driven by one seeded {@link Random}: ops valid against a
 * given state (all kinds, batches, nulls in set, points, style, unnormalized numbers, shuffled
 * keys), and corrupted ops that must fail with a known code.
 */
final class RandomOps {
  static final String SMILEY = "\uD83D\uDE00";
  /** Never created, so any op on it is not_found. */
  static final String GHOST = "ghost";
  private static final List<String> IDS = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j",
      "shape-1", "shape-10", "\u00e9", SMILEY, "\uFFFF", "\uE000", "with space", "q\"uote", "i".repeat(64));
  private static final List<String> TYPES = ShapeSchema.TYPES;
  private static final String[] CHARS = {"a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u0001", "\u007f",
      "\u00e9", "\u4e2d", SMILEY, "\u2028"};

  /** A corrupted op and the code it must fail with. */
  record Invalid(ObjectNode op, ErrorCode code) {
  }

  private final Random random;
  private final Reducer reducer;

  RandomOps(long seed, Reducer reducer) {
    this.random = new Random(seed);
    this.reducer = reducer;
  }

  boolean chance(double p) {
    return random.nextDouble() < p;
  }

  /** An op (sometimes a batch) that applies to {@code state} without error. */
  ObjectNode valid(CanvasState state) {
    if (!chance(0.15)) {
      return single(state);
    }
    CanvasState scratch = state.copy();
    ArrayNode ops = Json.array();
    int n = 1 + random.nextInt(6);
    for (int i = 0; i < n; i++) {
      ObjectNode op = single(scratch);
      reducer.applyInPlace(scratch, reducer.parse(op));
      ops.add(op);
    }
    return shuffled(Json.object().put("kind", "batch").set("ops", ops));
  }

  /** An op that must fail against {@code state}, and its code. */
  Invalid invalid(CanvasState state) {
    double roll = random.nextDouble();
    if (roll < 0.05) {
      return new Invalid(Json.object().put("kind", "batch").set("ops", Json.array()), ErrorCode.INVALID_OP);
    }
    if (roll < 0.1) {
      ArrayNode nested = Json.array().add(Json.object().put("kind", "batch").set("ops", Json.array().add(single(state))));
      return new Invalid(Json.object().put("kind", "batch").set("ops", nested), ErrorCode.INVALID_OP);
    }
    if (roll < 0.2) {
      return tooLarge();
    }
    if (roll < 0.3 && state.size() > 0) {
      return new Invalid(op("create_shape", "shape", shape(pick(existing(state)))), ErrorCode.CONFLICT);
    }
    if (roll < 0.55) {
      CanvasState scratch = state.copy();
      ArrayNode ops = Json.array();
      for (int i = random.nextInt(4); i > 0; i--) {
        ObjectNode op = single(scratch);
        reducer.applyInPlace(scratch, reducer.parse(op));
        ops.add(op);
      }
      Invalid bad = corrupt(scratch);
      ops.add(bad.op());
      return new Invalid(Json.object().put("kind", "batch").set("ops", ops), bad.code());
    }
    return corrupt(state);
  }

  private ObjectNode single(CanvasState state) {
    List<String> existing = existing(state);
    List<String> free = new ArrayList<>(IDS);
    free.removeAll(existing);
    if (existing.isEmpty() || (!free.isEmpty() && chance(0.3))) {
      return op("create_shape", "shape", shape(pick(free)));
    }
    String id = pick(existing);
    String type = state.shape(id).get("type").textValue();
    double roll = random.nextDouble();
    if (roll < 0.4) {
      return op("update_shape", "id", id, "set", set(type));
    }
    if (roll < 0.65) {
      return op("move_shape", "id", id, "x", number(), "y", number());
    }
    if (roll < 0.85) {
      ObjectNode resize = op("resize_shape", "id", id, "w", nonNegative(), "h", nonNegative());
      if (chance(0.5)) {
        resize.set("x", number());
      }
      if (chance(0.5)) {
        resize.set("y", number());
      }
      return shuffled(resize);
    }
    return op("delete_shape", "id", id);
  }

  private Invalid tooLarge() {
    if (chance(0.5)) {
      ArrayNode ops = Json.array();
      for (int i = 0; i <= CanvasLimits.DEFAULT_MAX_BATCH_OPS; i++) {
        ops.add(op("delete_shape", "id", GHOST));
      }
      return new Invalid(Json.object().put("kind", "batch").set("ops", ops), ErrorCode.TOO_LARGE);
    }
    ArrayNode points = Json.array();
    for (int i = 0; i <= CanvasLimits.DEFAULT_MAX_POINTS; i++) {
      points.add(Json.array().add(i).add(-i));
    }
    ObjectNode path = Json.object().put("id", GHOST).put("type", "path").put("x", 0).put("y", 0);
    return new Invalid(op("create_shape", "shape", path.set("points", points)), ErrorCode.TOO_LARGE);
  }

  private Invalid corrupt(CanvasState state) {
    ObjectNode op = single(state);
    String kind = op.get("kind").textValue();
    int roll = random.nextInt(10);
    if (roll == 0) {
      op.remove("kind");
      return invalidOp(op);
    }
    if (roll == 1) {
      op.put("kind", "explode_shape");
      return invalidOp(op);
    }
    if (roll == 2) {
      op.put("extra", 1);
      return invalidOp(op);
    }
    return switch (kind) {
      case "create_shape" -> corruptCreate(state, op, (ObjectNode) op.get("shape"));
      case "update_shape" -> corruptUpdate(state, op, (ObjectNode) op.get("set"));
      case "move_shape", "resize_shape", "delete_shape" -> corruptTarget(op);
      default -> throw new IllegalStateException(kind);
    };
  }

  private Invalid corruptCreate(CanvasState state, ObjectNode op, ObjectNode shape) {
    switch (random.nextInt(8)) {
      case 0 -> shape.remove("type");
      case 1 -> shape.put("x", "1");
      case 2 -> shape.put("bogus", true);
      case 3 -> shape.put("w", -1);
      case 4 -> shape.put("id", badId());
      case 5 -> {
        shape.put("type", "rect").set("points", Json.array().add(Json.array().add(0).add(0)));
      }
      case 6 -> {
        shape.put("text", "t".repeat(CanvasLimits.DEFAULT_MAX_TEXT_CHARS + 1));
        return new Invalid(op, ErrorCode.TOO_LARGE);
      }
      default -> {
        List<String> taken = existing(state);
        if (taken.isEmpty()) {
          shape.putNull("y");
          return invalidOp(op);
        }
        shape.put("id", pick(taken));
        return new Invalid(op, ErrorCode.CONFLICT);
      }
    }
    return invalidOp(op);
  }

  private Invalid corruptUpdate(CanvasState state, ObjectNode op, ObjectNode set) {
    String type = state.shape(op.get("id").textValue()).get("type").textValue();
    switch (random.nextInt(6)) {
      case 0 -> set.put("type", "rect");
      case 1 -> set.putNull(chance(0.5) ? "x" : "y");
      case 2 -> set.set("style", Json.object().put("opacity", 2));
      case 3 -> {
        if (ShapeSchema.allowsPoints(type)) {
          set.put("points", "none");
        } else {
          set.set("points", Json.array());
        }
      }
      case 4 -> set.put("color", "red");
      default -> {
        return corruptTarget(op);
      }
    }
    return invalidOp(op);
  }

  private Invalid corruptTarget(ObjectNode op) {
    if (chance(0.5)) {
      op.put("id", GHOST);
      return new Invalid(op, ErrorCode.NOT_FOUND);
    }
    op.put("id", badId());
    return invalidOp(op);
  }

  private static Invalid invalidOp(ObjectNode op) {
    return new Invalid(op, ErrorCode.INVALID_OP);
  }

  private String badId() {
    return chance(0.5) ? "" : "x".repeat(CanvasLimits.DEFAULT_MAX_ID_LENGTH + 1);
  }

  private static List<String> existing(CanvasState state) {
    List<String> existing = new ArrayList<>();
    for (String id : IDS) {
      if (state.contains(id)) {
        existing.add(id);
      }
    }
    return existing;
  }

  private ObjectNode shape(String id) {
    String type = pick(TYPES);
    ObjectNode shape = Json.object().put("id", id).put("type", type);
    shape.set("x", number());
    shape.set("y", number());
    for (String field : List.of("w", "h", "rotation", "z", "style", "text", "points")) {
      if (chance(0.4) && (!field.equals("points") || ShapeSchema.allowsPoints(type))) {
        shape.set(field, value(field));
      }
    }
    return shuffled(shape);
  }

  private ObjectNode set(String type) {
    ObjectNode set = Json.object();
    for (String field : List.of("x", "y", "w", "h", "rotation", "z", "style", "text", "points")) {
      if (!chance(0.3) || (field.equals("points") && !ShapeSchema.allowsPoints(type) && !chance(0.5))) {
        continue;
      }
      boolean optional = !field.equals("x") && !field.equals("y");
      boolean pointsForbidden = field.equals("points") && !ShapeSchema.allowsPoints(type);
      if (pointsForbidden || (optional && chance(0.3))) {
        set.putNull(field);
      } else {
        set.set(field, value(field));
      }
    }
    return shuffled(set);
  }

  private JsonNode value(String field) {
    return switch (field) {
      case "x", "y", "rotation" -> number();
      case "w", "h" -> nonNegative();
      case "z", "text" -> Json.object().textNode(string());
      case "style" -> style();
      case "points" -> points();
      default -> throw new IllegalArgumentException(field);
    };
  }

  private ObjectNode style() {
    ObjectNode style = Json.object();
    if (chance(0.5)) {
      style.put("stroke", chance(0.5) ? "#" + Integer.toHexString(random.nextInt(0x1000000)) : string());
    }
    if (chance(0.5)) {
      style.put("fill", chance(0.5) ? "none" : string());
    }
    if (chance(0.5)) {
      style.set("strokeWidth", nonNegative());
    }
    if (chance(0.5)) {
      style.set("opacity", chance(0.3) ? IntNode.valueOf(random.nextInt(2)) : DoubleNode.valueOf(random.nextDouble()));
    }
    if (chance(0.5)) {
      style.set("fontSize", chance(0.5) ? IntNode.valueOf(1 + random.nextInt(72)) : DoubleNode.valueOf(0.5 + random.nextDouble()));
    }
    return shuffled(style);
  }

  private ArrayNode points() {
    ArrayNode points = Json.array();
    for (int i = random.nextInt(7); i > 0; i--) {
      points.add(Json.array().add(number()).add(number()));
    }
    return points;
  }

  private JsonNode number() {
    return switch (random.nextInt(9)) {
      case 0 -> IntNode.valueOf(random.nextInt(2000) - 1000);
      case 1 -> DoubleNode.valueOf(random.nextInt(200) - 100);
      case 2 -> DoubleNode.valueOf((random.nextInt(4000) - 2000) / 2.0);
      case 3 -> DoubleNode.valueOf(random.nextDouble() * 2000 - 1000);
      case 4 -> DoubleNode.valueOf(1e21 * (random.nextInt(3) + 1));
      case 5 -> DoubleNode.valueOf(random.nextDouble() * 1e-7);
      case 6 -> DoubleNode.valueOf(-0.0);
      case 7 -> DoubleNode.valueOf(Math.scalb(random.nextDouble(), 60));
      default -> IntNode.valueOf(0);
    };
  }

  private JsonNode nonNegative() {
    JsonNode n = number();
    return n.isInt() ? IntNode.valueOf(Math.abs(n.intValue())) : DoubleNode.valueOf(Math.abs(n.doubleValue()));
  }

  private String string() {
    StringBuilder s = new StringBuilder();
    for (int i = random.nextInt(9); i > 0; i--) {
      s.append(CHARS[random.nextInt(CHARS.length)]);
    }
    return s.toString();
  }

  private ObjectNode op(String kind, Object... fields) {
    ObjectNode op = Json.object().put("kind", kind);
    for (int i = 0; i < fields.length; i += 2) {
      Object value = fields[i + 1];
      op.set((String) fields[i], value instanceof JsonNode node ? node : Json.object().textNode((String) value));
    }
    return shuffled(op);
  }

  /** The same object with its keys in a random order. */
  private ObjectNode shuffled(ObjectNode node) {
    List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(node.properties());
    Collections.shuffle(fields, random);
    ObjectNode out = Json.object();
    fields.forEach(field -> out.set(field.getKey(), field.getValue()));
    return out;
  }

  private <T> T pick(List<T> list) {
    return list.get(random.nextInt(list.size()));
  }
}
