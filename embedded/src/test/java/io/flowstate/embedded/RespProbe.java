package io.flowstate.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Raw RESP over a socket: sends inline commands then QUIT and returns the whole reply text. */
final class RespProbe {
  private RespProbe() {
  }

  static String send(int port, String... commands) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      for (String command : commands) {
        out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
      }
      out.write("QUIT\r\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream reply = new ByteArrayOutputStream();
      in.transferTo(reply);
      return reply.toString(StandardCharsets.UTF_8);
    }
  }

  static boolean answersPing(int port) {
    try {
      return send(port, "PING").startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }
}
