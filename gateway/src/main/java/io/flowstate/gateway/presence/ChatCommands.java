package io.flowstate.gateway.presence;

import io.flowstate.shared.protocol.ErrorCode;
import io.flowstate.shared.protocol.FlowStateException;

/**
 * Parses a chat line with its slash commands: {@code /shrug [text]} appends ¯\_(ツ)_/¯,
 * {@code /me <action>} sends an action line, {@code /who} asks for the member list (answered to
 * the sender alone), {@code //text} sends "/text" literally; any other {@code /command} is
 * {@code unknown_command}. Pure, so it runs on the connection's own context.
 */
public final class ChatCommands {
  /** SHRUG as PROTOCOL.md spells it. */
  public static final String SHRUG = "¯\\_(ツ)_/¯";

  private ChatCommands() {
  }

  /** What a chat line asks for. */
  public sealed interface Line {
  }

  /** A message (or, with {@code action}, a /me line) to every member. */
  public record Say(String text, boolean action) implements Line {
  }

  /** /who: the member list to the sender only. */
  public record Who() implements Line {
  }

  public static Line parse(String text) {
    if (!text.startsWith("/")) {
      return new Say(text, false);
    }
    if (text.startsWith("//")) {
      return new Say(text.substring(1), false);
    }
    int space = text.indexOf(' ');
    String command = (space < 0 ? text.substring(1) : text.substring(1, space)).toLowerCase(java.util.Locale.ROOT);
    String rest = space < 0 ? "" : text.substring(space + 1).strip();
    switch (command) {
      case "shrug":
        return new Say(rest.isEmpty() ? SHRUG : rest + " " + SHRUG, false);
      case "me":
        if (rest.isEmpty()) {
          throw new FlowStateException(ErrorCode.BAD_REQUEST, "/me needs an action, e.g. /me waves");
        }
        return new Say(rest, true);
      case "who":
        return new Who();
      default:
        throw new FlowStateException(ErrorCode.UNKNOWN_COMMAND, "unknown command /" + command
            + " (try /shrug, /me or /who)");
    }
  }
}
