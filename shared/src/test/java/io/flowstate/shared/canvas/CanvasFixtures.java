package io.flowstate.shared.canvas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.ErrorCode;
import io.flowstate.shared.protocol.FlowStateException;
import io.flowstate.shared.protocol.Json;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Shared helpers for canvas tests: JSON written with single quotes, and error assertions. */
final class CanvasFixtures {
  static final String EMPTY_HASH = "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";

  private CanvasFixtures() {
  }

  /** Parses JSON written with {@code '} for {@code "}, so tests stay readable. */
  static JsonNode json(String singleQuoted) {
    return Json.parse(singleQuoted.replace('\'', '"'));
  }

  static ObjectNode object(String singleQuoted) {
    return (ObjectNode) json(singleQuoted);
  }

  static FlowStateException fails(ThrowingCallable call, ErrorCode code, String messagePart) {
    FlowStateException[] caught = new FlowStateException[1];
    assertThatThrownBy(call).isInstanceOfSatisfying(FlowStateException.class, e -> {
      assertThat(e.code()).as("code of '%s'", e.getMessage()).isEqualTo(code);
      assertThat(e.getMessage()).contains(messagePart);
      caught[0] = e;
    });
    return caught[0];
  }

  /** A canvas built by applying op JSON (single-quoted) in order with default limits. */
  static CanvasState canvas(String... ops) {
    Reducer reducer = new Reducer(CanvasLimits.defaults());
    CanvasState state = CanvasState.empty();
    for (String op : ops) {
      reducer.applyInPlace(state, reducer.parse(json(op)));
    }
    return state;
  }
}
