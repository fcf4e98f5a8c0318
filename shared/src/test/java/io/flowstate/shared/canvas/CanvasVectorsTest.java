package io.flowstate.shared.canvas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.shared.protocol.ErrorCode;
import io.flowstate.shared.protocol.Json;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.erdtman.jcs.JsonCanonicalizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

@DisplayName("The shared test vectors in canvas-vectors.json")
class CanvasVectorsTest {
  private static List<JsonNode> vectors;

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in = CanvasVectorsTest.class.getResourceAsStream(CanvasVectors.RESOURCE)) {
      assertThat(in).as(CanvasVectors.RESOURCE).isNotNull();
      vectors = new ArrayList<>();
      Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)).forEach(vectors::add);
    }
  }

  @TestFactory
  @DisplayName("are each reproduced by the Java reducer")
  Stream<DynamicTest> reproduced() {
    return vectors.stream().map(vector -> DynamicTest.dynamicTest(vector.get("name").textValue(),
        () -> assertThat(CanvasVectors.outcome(vector.get("ops"))).isEqualTo(vector.get("expect"))));
  }

  @Test
  @DisplayName("have expected hashes that match their expected shapes under JsonCanonicalizer")
  void hashesMatchShapes() throws Exception {
    for (JsonNode vector : vectors) {
      JsonNode expect = vector.get("expect");
      if (expect.has("shapes")) {
        String canonical = new JsonCanonicalizer(Json.write(expect.get("shapes"))).getEncodedString();
        assertThat(CanvasStateTest.sha256(canonical)).as(vector.get("name").textValue())
            .isEqualTo(expect.get("hash").textValue());
      }
    }
  }

  @Test
  @DisplayName("cover every op kind and every error code of the reducer, under unique names")
  void coverage() {
    Set<String> kinds = new HashSet<>();
    Set<ErrorCode> errors = EnumSet.noneOf(ErrorCode.class);
    Set<String> names = new HashSet<>();
    for (JsonNode vector : vectors) {
      vector.get("ops").forEach(op -> kinds.add(op.path("kind").asText()));
      if (vector.get("expect").has("error")) {
        errors.add(ErrorCode.fromWire(vector.get("expect").get("error").textValue()));
      }
      assertThat(names.add(vector.get("name").textValue())).as("unique name").isTrue();
    }

    assertThat(kinds).contains("create_shape", "update_shape", "move_shape", "resize_shape", "delete_shape", "batch");
    assertThat(errors).containsExactlyInAnyOrder(ErrorCode.INVALID_OP, ErrorCode.NOT_FOUND, ErrorCode.CONFLICT,
        ErrorCode.TOO_LARGE);
  }
}
