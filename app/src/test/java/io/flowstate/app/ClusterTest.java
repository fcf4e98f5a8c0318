package io.flowstate.app;

import org.junit.jupiter.api.AfterEach;

/** Base of tests that start their own {@link TestCluster}: it is always stopped after each test. */
abstract class ClusterTest {
  TestCluster cluster;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }
}
