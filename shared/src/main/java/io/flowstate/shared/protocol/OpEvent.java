package io.flowstate.shared.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * A committed op as every client sees it: the {@code op} frame of PROTOCOL.md. Built the same way
 * by the sequencer when it publishes and by readers of the op log, so live and catch-up events are
 * byte-identical. {@code at} is kept at microsecond precision, the precision PostgreSQL stores.
 */
public record OpEvent(String room, long version, String id, Author author, JsonNode op, Instant at,
    Long undoOf, Long redoOf) {

  public OpEvent {
    at = at.truncatedTo(ChronoUnit.MICROS);
  }

  public ObjectNode toFrame() {
    ObjectNode frame = Json.object();
    frame.put("type", "op");
    frame.put("room", room);
    frame.put("version", version);
    frame.put("id", id);
    frame.putObject("author").put("id", author.id()).put("name", author.name());
    frame.set("op", op);
    frame.put("at", DateTimeFormatter.ISO_INSTANT.format(at));
    if (undoOf != null) {
      frame.put("undoOf", undoOf);
    }
    if (redoOf != null) {
      frame.put("redoOf", redoOf);
    }
    return frame;
  }

  /** Reads back a frame written by {@link #toFrame()}. */
  public static OpEvent fromFrame(JsonNode frame) {
    JsonNode author = frame.get("author");
    return new OpEvent(frame.get("room").asText(), frame.get("version").asLong(),
        frame.get("id").asText(), new Author(author.get("id").asText(), author.get("name").asText()),
        frame.get("op"), Instant.parse(frame.get("at").asText()),
        frame.hasNonNull("undoOf") ? frame.get("undoOf").asLong() : null,
        frame.hasNonNull("redoOf") ? frame.get("redoOf").asLong() : null);
  }
}
