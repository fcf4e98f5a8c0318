package io.flowstate.shared.canvas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.FlowStateException;
import io.flowstate.shared.protocol.Json;

/**
 * Runs one vector's ops on an empty canvas with default limits, as any client would: parse,
 * then apply, stopping at the first failure. The outcome is the vector's {@code expect} object:
 * {@code {hash, shapes}}, or {@code {error, atOp, hash}} with the hash of the unchanged state.
 */
final class CanvasVectors {
  static final String RESOURCE = "/canvas-vectors.json";

  private CanvasVectors() {
  }

  static ObjectNode outcome(JsonNode ops) {
    Reducer reducer = new Reducer(CanvasLimits.defaults());
    CanvasState state = CanvasState.empty();
    for (int i = 0; i < ops.size(); i++) {
      try {
        reducer.applyInPlace(state, reducer.parse(ops.get(i)));
      } catch (FlowStateException e) {
        return Json.object().put("error", e.code().wire()).put("atOp", i).put("hash", state.hash());
      }
    }
    ObjectNode expect = Json.object().put("hash", state.hash());
    expect.set("shapes", state.toJson().get("shapes"));
    return expect;
  }
}
