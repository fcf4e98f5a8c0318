package io.flowstate.shared.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowstate.shared.channel.Channels;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Client frame parsing")
class ClientMessagesTest {
  private final ClientMessages parser = new ClientMessages(16, 8);

  private ClientMessages.BadFrame bad(String text) {
    try {
      parser.parse(text);
    } catch (ClientMessages.BadFrame e) {
      return e;
    }
    throw new AssertionError("expected a bad frame: " + text);
  }

  @Test
  @DisplayName("join, leave, op, undo, redo, presence and chat parse into their records")
  void parsesEveryType() {
    assertThat(parser.parse("{\"type\":\"join\",\"room\":\"r\",\"since\":4,\"rid\":\"a\"}"))
        .isEqualTo(new ClientMessage.Join("a", "r", 4L));
    assertThat(parser.parse("{\"type\":\"join\",\"room\":\"r\"}")).isEqualTo(new ClientMessage.Join(null, "r", null));
    assertThat(parser.parse("{\"type\":\"leave\",\"room\":\"r\"}")).isEqualTo(new ClientMessage.Leave(null, "r"));
    assertThat(parser.parse("{\"type\":\"op\",\"room\":\"r\",\"id\":\"x\",\"op\":{\"kind\":\"delete_shape\",\"id\":\"s\"}}"))
        .isInstanceOf(ClientMessage.SubmitOp.class);
    assertThat(parser.parse("{\"type\":\"undo\",\"room\":\"r\",\"id\":\"x\"}")).isEqualTo(new ClientMessage.Undo(null, "r", "x"));
    assertThat(parser.parse("{\"type\":\"redo\",\"room\":\"r\",\"id\":\"x\"}")).isEqualTo(new ClientMessage.Redo(null, "r", "x"));
    assertThat(parser.parse("{\"type\":\"presence\",\"room\":\"r\",\"state\":{\"x\":1}}"))
        .isInstanceOf(ClientMessage.Presence.class);
    assertThat(parser.parse("{\"type\":\"chat\",\"room\":\"r\",\"text\":\"hi\"}"))
        .isEqualTo(new ClientMessage.Chat(null, "r", "hi"));
  }

  @Test
  @DisplayName("malformed frames are bad_request and keep the rid, room and id they could read")
  void badFramesKeepCorrelation() {
    assertThat(bad("nope").code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(bad("{\"type\":\"join\",\"room\":\"r\"} trailing").code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(bad("{\"type\":\"join\",\"room\":\"r\",\"room\":\"s\"}").code()).isEqualTo(ErrorCode.BAD_REQUEST);
    var unknown = bad("{\"type\":\"fly\",\"room\":\"r\",\"rid\":\"q\"}").toFrame();
    assertThat(unknown.path("rid").asText()).isEqualTo("q");
    assertThat(unknown.path("code").asText()).isEqualTo("bad_request");
    var noOp = bad("{\"type\":\"op\",\"room\":\"r\",\"rid\":\"q\",\"id\":\"i\"}").toFrame();
    assertThat(noOp.path("room").asText()).isEqualTo("r");
    assertThat(noOp.path("id").asText()).isEqualTo("i");
    assertThat(bad("{\"type\":\"op\",\"room\":\"r\",\"id\":\"123456789\",\"op\":{}}").getMessage()).contains("1..8");
    assertThat(bad("{\"type\":\"join\",\"room\":\"" + "r".repeat(17) + "\"}").getMessage()).contains("1..16");
    assertThat(bad("{\"type\":\"join\",\"room\":\"r\",\"since\":-1}").getMessage()).contains("since");
    assertThat(bad("{\"type\":\"join\",\"room\":\"r\",\"since\":1.5}").getMessage()).contains("since");
    assertThat(bad("{\"type\":\"join\",\"room\":7}").getMessage()).contains("room");
    assertThat(bad("{\"type\":\"join\",\"room\":\"r\",\"rid\":5}").getMessage()).contains("rid");
  }

  @Test
  @DisplayName("submissions and deliveries round-trip through their JSON codec and ignore unknown fields")
  void relayCodecs() {
    Submission s = new Submission(Submission.OP, "gw", "c", "r", new Author("u", "U"), "i", "rid",
        Json.parse("{\"kind\":\"delete_shape\",\"id\":\"s\"}"));
    assertThat(Submission.decode(s.encode())).isEqualTo(s);
    String newer = s.encode().replaceFirst("\\{", "{\"future\":1,");
    assertThat(Submission.decode(newer)).isEqualTo(s);
    assertThatThrownBy(() -> Submission.decode("{")).isInstanceOf(FlowStateException.class);
  }

  @Test
  @DisplayName("a room's shard is CRC-32 of its UTF-8 id modulo the shard count, stable across processes")
  void shardOfRoom() {
    assertThat(Channels.shardOf("room", 1 << 30)).isEqualTo((int) (0x729f519bL % (1 << 30)));
    assertThat(Channels.shardOf("lobby", 256)).isBetween(0, 255);
    Channels channels = new Channels("fs");
    assertThat(channels.roomOf(channels.room("a:b{c}"))).isEqualTo("a:b{c}");
    assertThat(channels.roomOf(channels.shard(3))).isNull();
  }
}
