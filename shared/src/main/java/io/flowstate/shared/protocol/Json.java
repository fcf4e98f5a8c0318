package io.flowstate.shared.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The one configured Jackson mapper that every FlowState component uses for the wire and for
 * Redis/PostgreSQL payloads. Strict: duplicate keys and trailing tokens are malformed input.
 */
public final class Json {
  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Json() {
  }

  /** Parses a JSON text; malformed input is a {@link ErrorCode#BAD_REQUEST}. */
  public static JsonNode parse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new FlowStateException(ErrorCode.BAD_REQUEST, "malformed JSON: " + e.getOriginalMessage());
    }
  }

  /** Parses a JSON text that must be an object. */
  public static ObjectNode parseObject(String text) {
    JsonNode node = parse(text);
    if (node == null || !node.isObject()) {
      throw new FlowStateException(ErrorCode.BAD_REQUEST, "a frame must be one JSON object");
    }
    return (ObjectNode) node;
  }

  /** Compact JSON text of a tree. */
  public static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode JSON", e);
    }
  }

  public static ObjectNode object() {
    return NODES.objectNode();
  }

  public static ArrayNode array() {
    return NODES.arrayNode();
  }
}
