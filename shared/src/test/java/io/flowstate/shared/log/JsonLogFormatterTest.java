package io.flowstate.shared.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.shared.protocol.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("JSON log lines")
class JsonLogFormatterTest {
  @Test
  @DisplayName("one JSON object per line with the process fields, the event's own fields and the error")
  void structured() {
    Logger logger = Logger.getLogger("flowstate.test.json");
    logger.setUseParentHandlers(false);
    List<LogRecord> records = new ArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        records.add(record);
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    logger.addHandler(capture);
    Log.event(logger, Level.WARNING, "snapshot failed: \"quoted\"\nline", new IllegalStateException("boom"),
        "room", "r-1", "version", 42);
    String line = new JsonLogFormatter(Map.of("service", "sequencer")).format(records.get(0));
    assertThat(line).endsWith(System.lineSeparator());
    assertThat(line.strip()).doesNotContain("\n");
    JsonNode json = Json.parse(line.strip());
    assertThat(json.path("level").asText()).isEqualTo("WARNING");
    assertThat(json.path("msg").asText()).isEqualTo("snapshot failed: \"quoted\"\nline");
    assertThat(json.path("room").asText()).isEqualTo("r-1");
    assertThat(json.path("version").asText()).isEqualTo("42");
    assertThat(json.path("service").asText()).isEqualTo("sequencer");
    assertThat(json.path("error").asText()).contains("IllegalStateException: boom");
    assertThat(json.path("ts").asText()).endsWith("Z");
  }
}
