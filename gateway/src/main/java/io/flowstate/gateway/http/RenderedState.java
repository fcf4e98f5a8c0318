package io.flowstate.gateway.http;

/**
 * A room state at one version as {@code GET …/state} sends it: {@code body} is the UTF-8 JSON
 * {@code {"version","state","hash"}}. Never changes once built (the op log is append-only), so it
 * may be cached and shared; callers must not modify {@code body}.
 */
record RenderedState(long version, String hash, byte[] body) {
}
