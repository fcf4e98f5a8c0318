package io.flowstate.shared.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a gateway publishes on a room's shard channel for the sequencer: one op (or undo/redo)
 * with the client op id that makes it idempotent, and the address ({@code gateway},
 * {@code conn}) that rejections and duplicate acks go back to. Ordered per publisher. Unknown
 * fields are ignored so that mixed versions can run side by side during a rolling upgrade.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Submission(String action, String gateway, String conn, String room, Author author,
    String id, String rid, JsonNode op) {

  public static final String OP = "op";
  public static final String UNDO = "undo";
  public static final String REDO = "redo";

  public String encode() {
    try {
      return Json.MAPPER.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Submission decode(String text) {
    try {
      return Json.MAPPER.readValue(text, Submission.class);
    } catch (JsonProcessingException e) {
      throw new FlowStateException(ErrorCode.BAD_REQUEST, "malformed submission: " + e.getOriginalMessage());
    }
  }
}
