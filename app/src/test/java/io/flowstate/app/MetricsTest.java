package io.flowstate.app;

import static io.flowstate.app.TestCluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowstate.testkit.WsTestClient;
import io.vertx.core.http.HttpMethod;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Prometheus metrics")
class MetricsTest extends ClusterTest {
  private static final Pattern SAMPLE = Pattern.compile(
      "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$");

  /** Parses the exposition strictly: every line is a comment or a sample; returns name{labels} → value. */
  private static Map<String, Double> parse(String text) {
    Map<String, Double> samples = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertThat(m.matches()).as("a Prometheus sample line: %s", line).isTrue();
      samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
    }
    return samples;
  }

  private Map<String, Double> scrape(int port) {
    var http = cluster.vertx.createHttpClient();
    return parse(cluster.block(http.request(HttpMethod.GET, port, "127.0.0.1", "/metrics")
        .compose(req -> req.send())
        .compose(resp -> {
          assertThat(resp.getHeader("content-type")).startsWith("text/plain");
          return resp.body();
        }).map(b -> b.toString())));
  }

  @Test
  @DisplayName("/metrics parses as Prometheus text and its counters move when ops flow")
  void countersMove() {
    cluster = TestCluster.start(1, b -> b, s -> s.http("127.0.0.1", 0));
    int port = cluster.port(0);
    int sequencerPort = cluster.sequencer().httpPort();
    String room = "metrics-" + cluster.prefix;
    WsTestClient alice = cluster.connect(0, "alice");
    TestCluster.join(alice, room, null);
    Map<String, Double> before = scrape(port);
    assertThat(before.get("flowstate_gateway_connections")).isEqualTo(1.0);
    assertThat(before.get("flowstate_gateway_rooms")).isEqualTo(1.0);

    for (int i = 0; i < 3; i++) {
      TestCluster.sendOp(alice, room, "m" + i, TestCluster.createRect("s" + i, i, i));
      alice.next("op", WAIT);
    }
    TestCluster.sendOp(alice, room, "bad", TestCluster.move("ghost", 1, 1));
    alice.next("error", WAIT);

    Map<String, Double> after = scrape(port);
    assertThat(after.get("flowstate_ops_submitted_total") - before.getOrDefault("flowstate_ops_submitted_total", 0.0))
        .isEqualTo(4.0);
    assertThat(after.get("flowstate_fanout_deliveries_total")).isGreaterThanOrEqualTo(3.0);
    assertThat(after.get("flowstate_errors_total{code=\"not_found\"}")).isEqualTo(1.0);

    Map<String, Double> sequencer = scrape(sequencerPort);
    assertThat(sequencer.get("flowstate_ops_committed_total")).isEqualTo(3.0);
    assertThat(sequencer.get("flowstate_ops_rejected_total{code=\"not_found\"}")).isEqualTo(1.0);
    assertThat(sequencer.get("flowstate_commit_latency_seconds_count")).isGreaterThanOrEqualTo(1.0);
    assertThat(sequencer.keySet()).anyMatch(k -> k.startsWith("flowstate_commit_latency_seconds_bucket"));
  }
}
