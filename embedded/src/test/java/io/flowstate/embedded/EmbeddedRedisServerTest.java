package io.flowstate.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EmbeddedRedisServerTest {

  @Test
  @DisplayName("a started server answers PING on its loopback port and is a child of this JVM")
  void startsAndAnswersPing() throws IOException {
    try (EmbeddedRedisServer redis = EmbeddedRedisServer.start(0)) {
      assertThat(redis.port()).isPositive();
      assertThat(redis.url()).isEqualTo("redis://127.0.0.1:" + redis.port());
      assertThat(RespProbe.send(redis.port(), "PING")).startsWith("+PONG");
      assertThat(ProcessHandle.of(redis.pid()).flatMap(ProcessHandle::parent))
          .map(ProcessHandle::pid)
          .contains(ProcessHandle.current().pid());
    }
  }

  @Test
  @DisplayName("the server binds 127.0.0.1 only and persists nothing")
  void bindsLoopbackWithoutPersistence() throws IOException {
    try (EmbeddedRedisServer redis = EmbeddedRedisServer.start(0)) {
      String reply = RespProbe.send(redis.port(),
          "CONFIG GET bind", "CONFIG GET save", "CONFIG GET appendonly");
      assertThat(reply)
          .contains("$4\r\nbind\r\n$9\r\n127.0.0.1\r\n")
          .contains("$4\r\nsave\r\n$0\r\n\r\n")
          .contains("$10\r\nappendonly\r\n$2\r\nno\r\n");
    }
  }

  @Test
  @DisplayName("stop kills the server and restart brings a new, empty one back on the same port")
  void stopAndRestart() throws IOException {
    try (EmbeddedRedisServer redis = EmbeddedRedisServer.start(0)) {
      int port = redis.port();
      long firstPid = redis.pid();
      assertThat(RespProbe.send(port, "SET k v")).startsWith("+OK");

      redis.stop();
      assertThat(ProcessHandle.of(firstPid).filter(ServerRegistry::isRunning)).isEmpty();
      assertThatThrownBy(() -> RespProbe.send(port, "PING")).isInstanceOf(ConnectException.class);

      redis.restart();
      assertThat(redis.port()).isEqualTo(port);
      assertThat(redis.pid()).isNotEqualTo(firstPid);
      assertThat(RespProbe.send(port, "PING", "GET k")).isEqualTo("+PONG\r\n$-1\r\n+OK\r\n");
    }
  }

  @Test
  @DisplayName("close kills the server and a closed server cannot be restarted")
  void closeKills() {
    EmbeddedRedisServer redis = EmbeddedRedisServer.start(0);
    long pid = redis.pid();
    redis.close();
    redis.close();
    assertThat(ProcessHandle.of(pid).filter(ServerRegistry::isRunning)).isEmpty();
    assertThat(RespProbe.answersPing(redis.port())).isFalse();
    assertThatThrownBy(redis::restart).isInstanceOf(IllegalStateException.class);
  }

  @Test
  @DisplayName("an occupied port fails the start with a message naming Redis and the port")
  void occupiedPort() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> EmbeddedRedisServer.start(port))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("Redis")
          .hasMessageContaining("127.0.0.1:" + port);
    }
  }
}
