package io.flowstate.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The deployment files (docker-compose.yml, infra/k8s, infra/prometheus, infra/grafana) parse and
 * name only what the services really have: the image, the ports, FLOWSTATE_* variables read by
 * the config code, and metrics registered by the gateway and sequencer.
 */
@DisplayName("Deployment files")
class DeploymentFilesTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Pattern ENV_NAME = Pattern.compile("\\bFLOWSTATE_[A-Z0-9_]*[A-Z0-9]\\b");

  @Test
  @DisplayName("docker-compose.yml runs the image as gateway and sequencer with known variables, gateways without "
      + "fixed host ports, and mounts files that exist")
  void compose() throws IOException {
    JsonNode compose = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
    JsonNode services = compose.path("services");
    assertThat(fieldNames(services)).contains("redis", "postgres", "sequencer", "gateway", "nginx", "prometheus",
        "grafana");
    for (String role : List.of("gateway", "sequencer")) {
      JsonNode service = services.path(role);
      assertThat(service.path("image").asText()).as(role + " image").isEqualTo("flowstate:latest");
      assertThat(service.path("command").get(0).asText()).as(role + " command").isEqualTo(role);
      assertThat(service.path("deploy").path("replicas").asInt()).as(role + " replicas").isEqualTo(2);
      // `<<: *flowstate-env` is not resolved by the YAML parser: the anchor's names count too.
      List<String> names = new ArrayList<>(fieldNames(service.path("environment")));
      names.addAll(fieldNames(compose.path("x-flowstate-env")));
      names.remove("<<");
      assertThat(names).as(role + " environment").contains("FLOWSTATE_REDIS_URL", "FLOWSTATE_PG_URL")
          .allSatisfy(name -> assertThat(ConfigCode.variables()).contains(name));
    }
    assertThat(services.path("gateway").has("ports")).as("gateways publish no host port (--scale)").isFalse();
    assertThat(services.path("gateway").path("expose").get(0).asText())
        .isEqualTo(Integer.toString(io.flowstate.shared.config.GatewayConfig.DEFAULT_HTTP_PORT));
    assertThat(services.path("prometheus").path("profiles").get(0).asText()).isEqualTo("observability");
    assertThat(services.path("grafana").path("profiles").get(0).asText()).isEqualTo("observability");
    for (JsonNode service : iterable(services)) {
      for (JsonNode volume : iterable(service.path("volumes"))) {
        String source = volume.asText().split(":")[0];
        if (source.startsWith("./")) {
          assertThat(ROOT.resolve(source)).as("mounted " + source).exists();
        }
      }
    }
  }

  @Test
  @DisplayName("the Kubernetes manifests parse; gateway and sequencer probe live/ready on their ports, the grace "
      + "period covers preStop plus the drain deadline, and every variable exists in the config code")
  void kubernetes() throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (Stream<Path> files = Files.list(ROOT.resolve("infra/k8s"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        try (var parser = new YAMLFactory().createParser(file.toFile())) {
          new ObjectMapper().readValues(parser, JsonNode.class).forEachRemaining(d -> {
            if (d != null && !d.isEmpty()) {
              docs.add(d);
            }
          });
        }
      }
    }
    assertThat(docs).extracting(d -> d.path("kind").asText())
        .contains("ConfigMap", "Secret", "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget");
    JsonNode config = find(docs, d -> d.path("kind").asText().equals("ConfigMap"));
    JsonNode secret = find(docs, d -> d.path("kind").asText().equals("Secret"));
    Set<String> names = new TreeSet<>(fieldNames(config.path("data")));
    names.addAll(fieldNames(secret.path("stringData")));
    long drainMs = config.path("data").path("FLOWSTATE_DRAIN_DEADLINE_MS").asLong(
        io.flowstate.shared.config.GatewayConfig.DEFAULT_DRAIN_DEADLINE_MS);

    Map<String, Integer> ports = Map.of("gateway", io.flowstate.shared.config.GatewayConfig.DEFAULT_HTTP_PORT,
        "sequencer", io.flowstate.shared.config.SequencerConfig.DEFAULT_HTTP_PORT);
    for (var role : ports.entrySet()) {
      JsonNode deployment = find(docs, d -> d.path("kind").asText().equals("Deployment")
          && d.path("metadata").path("name").asText().equals("flowstate-" + role.getKey()));
      JsonNode pod = deployment.path("spec").path("template").path("spec");
      JsonNode container = pod.path("containers").get(0);
      assertThat(container.path("image").asText()).startsWith("flowstate:");
      assertThat(container.path("args").get(0).asText()).isEqualTo(role.getKey());
      assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(role.getValue());
      assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/health/live");
      assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/health/ready");
      for (JsonNode env : iterable(container.path("env"))) {
        names.add(env.path("name").asText());
        if (env.path("name").asText().endsWith("HTTP_PORT")) {
          assertThat(env.path("value").asInt()).as(env.path("name").asText()).isEqualTo(role.getValue());
        }
      }
      String preStop = container.path("lifecycle").path("preStop").path("exec").path("command").toString();
      Matcher sleep = Pattern.compile("sleep (\\d+)").matcher(preStop);
      long preStopMs = sleep.find() ? Long.parseLong(sleep.group(1)) * 1000 : 0;
      assertThat(pod.path("terminationGracePeriodSeconds").asLong() * 1000)
          .as(role.getKey() + " terminationGracePeriodSeconds vs preStop + FLOWSTATE_DRAIN_DEADLINE_MS")
          .isGreaterThan(preStopMs + drainMs);
    }
    assertThat(find(docs, d -> d.path("metadata").path("name").asText().equals("flowstate-sequencer")
        && d.path("kind").asText().equals("Deployment")).path("spec").path("replicas").asInt()).isEqualTo(2);
    assertThat(names.stream().filter(n -> n.startsWith("FLOWSTATE_")))
        .allSatisfy(name -> assertThat(ConfigCode.variables()).as("variables read by the config code").contains(name));
  }

  @Test
  @DisplayName("Prometheus scrape config and alert rules parse and the alerts and dashboard name real metrics")
  void observability() throws IOException {
    JsonNode prometheus = YAML.readTree(ROOT.resolve("infra/prometheus/prometheus.yml").toFile());
    assertThat(prometheus.path("scrape_configs")).extracting(j -> j.path("job_name").asText())
        .contains("flowstate-gateway", "flowstate-sequencer");
    JsonNode alerts = YAML.readTree(ROOT.resolve("infra/prometheus/alerts.yml").toFile());
    List<String> exprs = new ArrayList<>();
    List<String> alertNames = new ArrayList<>();
    for (JsonNode rule : iterable(alerts.path("groups").get(0).path("rules"))) {
      alertNames.add(rule.path("alert").asText());
      exprs.add(rule.path("expr").asText());
    }
    assertThat(alertNames).contains("FlowStateNoReadyGateways", "FlowStateCommitLatencyHigh",
        "FlowStateResyncRateHigh", "FlowStateRedisErrors", "FlowStatePostgresErrors", "FlowStateFencedCommits");
    String allAlerts = String.join("\n", exprs);
    assertThat(allAlerts).contains("flowstate_commit_latency_seconds_bucket", "flowstate_lease_fenced_commits_total");
    assertThat(metricNames(allAlerts)).allSatisfy(m -> assertThat(ConfigCode.metricSeries()).contains(m));

    JsonNode dashboard = new ObjectMapper().readTree(ROOT.resolve("infra/grafana/dashboards/flowstate.json").toFile());
    assertThat(dashboard.path("uid").asText()).isEqualTo("flowstate");
    assertThat(dashboard.path("panels").size()).isGreaterThan(5);
    assertThat(metricNames(dashboard.path("panels").toString()))
        .allSatisfy(m -> assertThat(ConfigCode.metricSeries()).contains(m));
    for (String file : List.of("infra/grafana/provisioning/datasources/prometheus.yml",
        "infra/grafana/provisioning/dashboards/flowstate.yml")) {
      assertThat(YAML.readTree(ROOT.resolve(file).toFile()).path("apiVersion").asInt()).as(file).isEqualTo(1);
    }
  }

  private static Set<String> metricNames(String text) {
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("\\bflowstate_[a-z0-9_]+").matcher(text);
    while (m.find()) {
      names.add(m.group());
    }
    return names;
  }

  static Set<String> envNames(String text) {
    Set<String> names = new TreeSet<>();
    Matcher m = ENV_NAME.matcher(text);
    while (m.find()) {
      names.add(m.group());
    }
    return names;
  }

  private static JsonNode find(List<JsonNode> docs, Predicate<JsonNode> predicate) {
    return docs.stream().filter(predicate).findFirst().orElseThrow(() -> new AssertionError("no such manifest"));
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static Iterable<JsonNode> iterable(JsonNode node) {
    return node::elements;
  }
}
