package io.flowstate.shared.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A frame for one connection of one gateway (an {@code error} or duplicate {@code ack} from the
 * sequencer), published on that gateway's reply channel. {@code room} and {@code id} let the
 * gateway settle the pending submission the frame answers. Unknown fields are ignored so that
 * mixed versions can run side by side during a rolling upgrade.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Delivery(String conn, String room, String authorId, String id, JsonNode frame) {

  public String encode() {
    try {
      return Json.MAPPER.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Delivery decode(String text) {
    try {
      return Json.MAPPER.readValue(text, Delivery.class);
    } catch (JsonProcessingException e) {
      throw new FlowStateException(ErrorCode.BAD_REQUEST, "malformed delivery: " + e.getOriginalMessage());
    }
  }
}
