package io.flowstate.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load balancer configs pass their own tools' checks where the tools are installed (skipped,
 * loudly, where not): the nginx config that infra/local-cluster.sh derives from
 * infra/nginx/nginx.conf with {@code nginx -t}, infra/haproxy/haproxy.cfg with {@code haproxy -c},
 * the script itself with {@code bash -n} (and shellcheck when present).
 */
@DisplayName("Load balancer configs and the local cluster script")
class LoadBalancerConfigTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("the local cluster's nginx config (infra/nginx/nginx.conf for local ports) passes nginx -t")
  void nginx() throws Exception {
    requireTool("nginx");
    String conf = run(List.of("bash", script(), "nginx-conf", "18980", "18981", "18982"));
    assertThat(conf).contains("server 127.0.0.1:18981", "server 127.0.0.1:18982", "proxy_set_header Upgrade",
        "proxy_next_upstream error timeout http_503").doesNotContain("gateway:8080", "resolver");
    Files.createDirectories(dir.resolve("logs"));
    Files.createDirectories(dir.resolve("tmp"));
    Path file = dir.resolve("nginx.conf");
    Files.writeString(file, conf);
    run(List.of("nginx", "-t", "-p", dir + "/", "-c", file.toString()));
  }

  @Test
  @DisplayName("infra/haproxy/haproxy.cfg passes haproxy -c and health-checks /health/ready")
  void haproxy() throws Exception {
    Path cfg = DeploymentFilesTest.ROOT.resolve("infra/haproxy/haproxy.cfg");
    assertThat(Files.readString(cfg)).contains("uri /health/ready", "timeout tunnel");
    requireTool("haproxy");
    run(List.of("haproxy", "-c", "-q", "-f", cfg.toString()));
  }

  @Test
  @DisplayName("infra/local-cluster.sh is valid bash")
  void scriptIsValidBash() throws Exception {
    requireTool("bash");
    run(List.of("bash", "-n", script()));
    if (onPath("shellcheck")) {
      run(List.of("shellcheck", "-S", "error", script()));
    }
  }

  private static String script() {
    return DeploymentFilesTest.ROOT.resolve("infra/local-cluster.sh").toString();
  }

  private static void requireTool(String tool) {
    if (!onPath(tool)) {
      String reason = tool + " is not installed: its config check is skipped (apt-get install -y " + tool + ")";
      System.out.println("\n*** SKIPPED: " + reason + "\n");
      Assumptions.abort(reason);
    }
  }

  private static boolean onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
    for (String d : path.split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(String.join(" ", command) + " finished").isTrue();
    String output = new String(out, java.nio.charset.StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(String.join(" ", command) + " exit status; output:\n" + output).isZero();
    return output;
  }
}
