package io.flowstate.shared.canvas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Regenerates {@code src/test/resources/canvas-vectors.json} from {@link CanvasVectorCases}:
 * {@code ./mvnw -B -pl shared test -Dtest=CanvasVectorsGenerator -Dcanvas.vectors.write=true}.
 * Skipped otherwise: the file is a checked-in fixture that clients in other languages share.
 */
class CanvasVectorsGenerator {
  private static final Path FILE = Path.of("src/test/resources/canvas-vectors.json");

  @Test
  @EnabledIfSystemProperty(named = "canvas.vectors.write", matches = "true")
  @DisplayName("writes the vector file from the cases, each error case failing at its last op")
  void write() throws Exception {
    ObjectWriter writer = Json.MAPPER.writer().with(JsonWriteFeature.ESCAPE_NON_ASCII);
    StringBuilder out = new StringBuilder("[\n");
    var cases = CanvasVectorCases.all();
    for (int c = 0; c < cases.size(); c++) {
      CanvasVectorCases.Case vector = cases.get(c);
      ArrayNode ops = Json.array();
      vector.ops().forEach(op -> ops.add(CanvasFixtures.json(op)));
      ObjectNode expect = CanvasVectors.outcome(ops);
      if (expect.has("error")) {
        assertThat(expect.get("atOp").intValue()).as(vector.name()).isEqualTo(ops.size() - 1);
      }
      out.append("{\"name\": ").append(writer.writeValueAsString(Json.object().textNode(vector.name())))
          .append(",\n \"ops\": [");
      for (int i = 0; i < ops.size(); i++) {
        out.append(i == 0 ? "\n  " : ",\n  ").append(writer.writeValueAsString(ops.get(i)));
      }
      out.append(ops.isEmpty() ? "],\n" : "\n ],\n");
      out.append(" \"expect\": ").append(writer.writeValueAsString(expect)).append("}")
          .append(c + 1 < cases.size() ? ",\n" : "\n");
    }
    out.append("]\n");
    JsonNode check = Json.parse(out.toString());
    assertThat(check).hasSize(cases.size());
    Files.writeString(FILE, out, StandardCharsets.US_ASCII);
  }
}
