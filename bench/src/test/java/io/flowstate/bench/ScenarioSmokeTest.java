package io.flowstate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every scenario at tiny scale against an in-JVM FlowState: checks that the generator's
 * accounting comes out clean (nothing lost, repeated or out of order, no errors) and that the
 * result files are written. Asserts correctness only, never speed.
 */
@DisplayName("Benchmark scenarios at tiny scale")
class ScenarioSmokeTest {
  @Test
  @DisplayName("every scenario runs against an in-JVM FlowState with no loss, no errors, and writes its results")
  void everyScenario(@TempDir Path dir) throws Exception {
    BenchOptions options = new BenchOptions(new String[] {"--clients", "6", "--rooms", "2", "--rate", "30",
        "--duration", "2", "--warmup", "1", "--members", "3", "--writers", "1", "--fanout-rates", "20,40", "--step-duration", "1",
        "--burst-clients", "6", "--burst-ops", "5", "--burst-rounds", "1", "--history-ops", "3000",
        "--history-queries", "5", "--idle-connections", "20", "--storm-clients", "20", "--storm-rate", "20",
        "--baseline-seconds", "1", "--sources", "1"});
    Report report = new Report();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
    Vertx vertx = Vertx.vertx();
    int failures;
    try (InJvmTarget target = new InJvmTarget(2); Bench bench = new Bench(vertx, options, target, report, out)) {
      failures = BenchMain.run(bench, BenchMain.scenarios("all"));
    } finally {
      Bench.await(vertx.close(), Duration.ofSeconds(30));
    }
    report.write(dir);
    String output = log.toString(StandardCharsets.UTF_8);
    assertThat(failures).as(output).isZero();
    assertThat(report.baselineValue("pg batched INSERT rows/s")).isPositive();
    assertThat(report.baselineValue("redis pub/sub msgs/s")).isPositive();
    assertThat(report.find("latency", "errors (incl. unavailable, retried)").value()).as(output).isZero();
    assertThat(report.find("latency", "op→own event p50").value()).isPositive();
    assertThat(report.find("fanout", "lost").value()).as(output).isZero();
    assertThat(report.find("fanout", "duplicates").value()).isZero();
    assertThat(report.find("fanout", "out of order").value()).isZero();
    assertThat(report.find("fanout", "max deliveries/s with p99 ≤ 1 s").value()).isPositive();
    assertThat(report.find("burst", "errors").value()).as(output).isZero();
    assertThat(report.find("history", "failed or timed-out requests").value()).as(output).isZero();
    assertThat(report.find("idle", "connections").value()).isEqualTo(20);
    assertThat(report.find("resume-storm", "resumed").value()).as(output).isEqualTo(20);
    assertThat(report.find("resume-storm", "lost").value()).as(output).isZero();
    assertThat(report.find("resume-storm", "duplicates").value()).isZero();
    assertThat(dir.resolve("results.csv")).exists();
    assertThat(Files.readString(dir.resolve("results.json"))).contains("\"scenario\" : \"fanout\"");
    assertThat(dir.resolve("latency-latency.svg")).exists();
  }
}
