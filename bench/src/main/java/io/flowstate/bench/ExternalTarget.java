package io.flowstate.bench;

import java.util.List;

/** Gateways someone else runs, given by address; Redis and PostgreSQL URLs are optional. */
public record ExternalTarget(List<String> gateways, String pgUrl, String redisUrl) implements Target {
  @Override
  public String describe() {
    return "external gateways " + gateways + (pgUrl == null ? "" : ", PostgreSQL given")
        + (redisUrl == null ? "" : ", Redis given");
  }
}
