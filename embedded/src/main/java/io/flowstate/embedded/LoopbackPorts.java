package io.flowstate.embedded;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Free-port discovery on 127.0.0.1 for embedded servers. A port found free may be taken by
 * someone else before the server binds it, so callers that asked for "any port" retry.
 */
final class LoopbackPorts {
  static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  static final String HOST = "127.0.0.1";

  private LoopbackPorts() {
  }

  static int free() {
    try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("cannot find a free loopback port", e);
    }
  }

  /** Whether nothing listens on {@code port} of the loopback interface right now. */
  static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(LOOPBACK, port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Throws the caller's clear message when an explicitly requested port is taken. */
  static void requireFree(int port, String server) {
    if (!isFree(port)) {
      throw new IllegalStateException(
          server + " cannot start on " + HOST + ":" + port + ": the port is already in use");
    }
  }
}
