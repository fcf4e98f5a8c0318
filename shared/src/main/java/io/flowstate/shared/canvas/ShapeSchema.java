package io.flowstate.shared.canvas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.ErrorCode;
import io.flowstate.shared.protocol.FlowStateException;
import io.flowstate.shared.protocol.Json;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Validates shapes, update sets and their fields against the limits, and returns fresh
 * normalized copies: numbers normalized, fields in canonical order, input never kept. Messages
 * name the field by the path the caller passes, e.g. {@code shape.style.opacity}.
 */
final class ShapeSchema {
  static final List<String> TYPES = List.of("rect", "ellipse", "line", "arrow", "text", "sticky", "path");
  static final List<String> FIELDS =
      List.of("id", "type", "x", "y", "w", "h", "rotation", "z", "style", "text", "points");
  static final List<String> STYLE_FIELDS = List.of("stroke", "fill", "strokeWidth", "opacity", "fontSize");
  private static final List<String> SETTABLE = FIELDS.subList(2, FIELDS.size());
  private static final Set<String> TYPE_SET = Set.copyOf(TYPES);
  private static final Set<String> FIELD_SET = Set.copyOf(FIELDS);
  private static final Set<String> STYLE_SET = Set.copyOf(STYLE_FIELDS);
  private static final Set<String> POINT_TYPES = Set.of("line", "arrow", "path");

  private final CanvasLimits limits;

  ShapeSchema(CanvasLimits limits) {
    this.limits = limits;
  }

  /** A whole shape, as in {@code create_shape}. */
  ObjectNode shape(JsonNode node, String path) {
    ObjectNode in = object(node, path);
    knownFields(in, FIELD_SET, path);
    ObjectNode out = Json.object();
    out.put("id", id(required(in, "id", path), path + ".id"));
    String type = type(required(in, "type", path), path + ".type");
    out.put("type", type);
    for (String name : SETTABLE) {
      JsonNode value = isRequired(name) ? required(in, name, path) : in.get(name);
      if (value != null) {
        out.set(name, value(name, value, path + "." + name));
      }
    }
    if (out.has("points") && !allowsPoints(type)) {
      throw pointsNotAllowed(path + ".points");
    }
    return out;
  }

  /** The {@code set} of {@code update_shape}: shape fields but id and type, null removing one. */
  ObjectNode set(JsonNode node, String path) {
    ObjectNode in = object(node, path);
    for (Iterator<String> names = in.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (name.equals("id") || name.equals("type")) {
        throw Faults.invalid(path + "." + name + " cannot be changed");
      }
      if (!FIELD_SET.contains(name)) {
        throw Faults.invalid(path + " has unknown field '" + name + "'");
      }
    }
    ObjectNode out = Json.object();
    for (String name : SETTABLE) {
      JsonNode value = in.get(name);
      if (value == null) {
        continue;
      }
      if (!value.isNull()) {
        out.set(name, value(name, value, path + "." + name));
      } else if (isRequired(name)) {
        throw Faults.invalid(path + "." + name + " cannot be null");
      } else {
        out.putNull(name);
      }
    }
    return out;
  }

  /** A shape id or op id: 1 to maxIdLength code points. */
  String id(JsonNode node, String path) {
    if (node == null || !node.isTextual()) {
      throw badId(path);
    }
    return id(node.textValue(), path);
  }

  String id(String id, String path) {
    if (id.isEmpty() || !fits(id, limits.maxIdLength()) || io.flowstate.shared.protocol.Text.problem(id) != null) {
      throw badId(path);
    }
    return id;
  }

  static boolean allowsPoints(String type) {
    return POINT_TYPES.contains(type);
  }

  static FlowStateException pointsNotAllowed(String path) {
    return Faults.invalid(path + " is allowed only for line, arrow and path shapes");
  }

  /** A new shape with {@code set} applied over {@code shape}; null values remove fields. */
  static ObjectNode merge(ObjectNode shape, ObjectNode set) {
    ObjectNode out = Json.object();
    for (String name : FIELDS) {
      JsonNode value = set.has(name) ? set.get(name) : shape.get(name);
      if (value != null && !value.isNull()) {
        out.set(name, value);
      }
    }
    return out;
  }

  private JsonNode value(String name, JsonNode value, String path) {
    return switch (name) {
      case "x", "y", "rotation" -> Numbers.node(NumberRule.FINITE.check(value, path));
      case "w", "h" -> Numbers.node(NumberRule.NON_NEGATIVE.check(value, path));
      case "z" -> string(value, limits.maxZLength(), ErrorCode.INVALID_OP, path);
      case "style" -> style(value, path);
      case "text" -> string(value, limits.maxTextChars(), ErrorCode.TOO_LARGE, path);
      case "points" -> points(value, path);
      default -> throw new IllegalArgumentException("not a settable field: " + name);
    };
  }

  private ObjectNode style(JsonNode node, String path) {
    ObjectNode in = object(node, path);
    knownFields(in, STYLE_SET, path);
    ObjectNode out = Json.object();
    for (String name : STYLE_FIELDS) {
      JsonNode value = in.get(name);
      if (value != null) {
        out.set(name, styleValue(name, value, path + "." + name));
      }
    }
    return out;
  }

  private JsonNode styleValue(String name, JsonNode value, String path) {
    return switch (name) {
      case "stroke", "fill" -> string(value, limits.maxStyleStringLength(), ErrorCode.INVALID_OP, path);
      case "strokeWidth" -> Numbers.node(NumberRule.NON_NEGATIVE.check(value, path));
      case "opacity" -> Numbers.node(NumberRule.UNIT.check(value, path));
      case "fontSize" -> Numbers.node(NumberRule.POSITIVE.check(value, path));
      default -> throw new IllegalArgumentException("not a style field: " + name);
    };
  }

  private ArrayNode points(JsonNode node, String path) {
    if (!node.isArray()) {
      throw Faults.invalid(path + " must be an array of [x, y] pairs");
    }
    if (node.size() > limits.maxPoints()) {
      throw Faults.tooLarge(path + " must have at most " + limits.maxPoints() + " points");
    }
    ArrayNode out = JsonNodeFactory.instance.arrayNode(node.size());
    for (int i = 0; i < node.size(); i++) {
      JsonNode pair = node.get(i);
      if (!isFinitePair(pair)) {
        throw Faults.invalid(path + "[" + i + "] must be an [x, y] pair of finite numbers");
      }
      ArrayNode point = JsonNodeFactory.instance.arrayNode(2);
      point.add(Numbers.node(Numbers.canonical(pair.get(0).doubleValue())));
      point.add(Numbers.node(Numbers.canonical(pair.get(1).doubleValue())));
      out.add(point);
    }
    return out;
  }

  private static boolean isFinitePair(JsonNode pair) {
    return pair.isArray() && pair.size() == 2
        && pair.get(0).isNumber() && Double.isFinite(pair.get(0).doubleValue())
        && pair.get(1).isNumber() && Double.isFinite(pair.get(1).doubleValue());
  }

  private static JsonNode string(JsonNode node, int max, ErrorCode tooLong, String path) {
    if (!node.isTextual()) {
      throw Faults.invalid(path + " must be a string");
    }
    String s = node.textValue();
    if (!fits(s, max)) {
      throw new FlowStateException(tooLong, path + " must be at most " + max + " characters");
    }
    String problem = io.flowstate.shared.protocol.Text.problem(s);
    if (problem != null) {
      throw Faults.invalid(path + " " + problem);
    }
    return node;
  }

  private String type(JsonNode node, String path) {
    if (!node.isTextual() || !TYPE_SET.contains(node.textValue())) {
      throw Faults.invalid(path + " must be one of " + String.join(", ", TYPES));
    }
    return node.textValue();
  }

  private static ObjectNode object(JsonNode node, String path) {
    if (node == null || !node.isObject()) {
      throw Faults.invalid(path + " must be an object");
    }
    return (ObjectNode) node;
  }

  private static JsonNode required(ObjectNode in, String name, String path) {
    JsonNode value = in.get(name);
    if (value == null) {
      throw Faults.invalid(path + "." + name + " is required");
    }
    return value;
  }

  private static void knownFields(ObjectNode in, Set<String> known, String path) {
    for (Iterator<String> names = in.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        throw Faults.invalid(path + " has unknown field '" + name + "'");
      }
    }
  }

  private static boolean isRequired(String field) {
    return field.equals("x") || field.equals("y");
  }

  private FlowStateException badId(String path) {
    return Faults.invalid(path + " must be a string of 1 to " + limits.maxIdLength() + " characters");
  }

  /** Whether {@code s} has at most {@code max} code points. */
  private static boolean fits(String s, int max) {
    return s.length() <= max || s.codePointCount(0, s.length()) <= max;
  }
}
