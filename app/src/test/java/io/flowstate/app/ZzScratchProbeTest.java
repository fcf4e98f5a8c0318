package io.flowstate.app;

import io.flowstate.testkit.RawWsClient;
import io.flowstate.testkit.WsTestClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ZzScratchProbeTest {
  static void dump(String what, WsTestClient c, int n) {
    for (int i = 0; i < n; i++) {
      try {
        System.out.println("PROBE " + what + " -> " + c.next(Duration.ofSeconds(4)));
      } catch (AssertionError e) {
        System.out.println("PROBE " + what + " -> nothing more");
        return;
      }
    }
  }

  @Test
  void probe() {
    try (TestCluster cluster = TestCluster.start(1, b -> b.maxFrameBytes(8 * 1024))) {
      String room = "stuck-" + cluster.prefix;
      RawWsClient a = RawWsClient.connect(cluster.port(0), "/v1/ws?guest=a", 0);
      a.sendText("{\"type\":\"join\",\"room\":\"" + room + "\"}");
      for (int i = 0; i < 3; i++) {
        RawWsClient.Frame f = a.read(Duration.ofSeconds(5));
        System.out.println("PROBE raw " + (f == null ? null : f.text()));
      }
      WsTestClient b = cluster.connect(0, "b");
      TestCluster.join(b, room, null);
      a.sendText("{\"type\":\"chat\",\"room\":\"" + room + "\",\"text\":\"" + "z".repeat(9000) + "\"}");
      long t0 = System.nanoTime();
      TestCluster.sendOp(b, room, "o1", TestCluster.createRect("s", 1, 1));
      dump("b after o1", b, 3);
      TestCluster.sendOp(b, room, "o2", TestCluster.move("s", 2, 2));
      dump("b after o2", b, 3);
      System.out.println("PROBE elapsed ms " + (System.nanoTime() - t0) / 1_000_000);
      TestCluster.sendOp(b, room, "o3", TestCluster.move("s", 3, 3));
      dump("b after o3", b, 3);
      a.close();
      TestCluster.sendOp(b, room, "o4", TestCluster.move("s", 4, 4));
      dump("b after o4 (a's socket gone)", b, 3);
    }
  }
}
