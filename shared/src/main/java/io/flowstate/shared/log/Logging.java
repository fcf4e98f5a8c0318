package io.flowstate.shared.log;

import java.util.Map;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Configures java.util.logging for a FlowState process: level ({@code FLOWSTATE_LOG_LEVEL}, JUL
 * names such as INFO, WARNING, FINE) and format ({@code FLOWSTATE_LOG_FORMAT}: {@code json} one
 * object per line, or {@code text}), written to standard error.
 */
public final class Logging {
  private Logging() {
  }

  public static void configure(String level, String format, Map<String, String> fields) {
    Level parsed;
    try {
      parsed = Level.parse(level.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("FLOWSTATE_LOG_LEVEL must be a level such as INFO or FINE, got '"
          + level + "'");
    }
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler handler = new ConsoleHandler();
    handler.setLevel(parsed);
    if ("json".equalsIgnoreCase(format)) {
      handler.setFormatter(new JsonLogFormatter(fields));
    } else if ("text".equalsIgnoreCase(format)) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
      handler.setFormatter(new SimpleFormatter());
    } else {
      throw new IllegalArgumentException("FLOWSTATE_LOG_FORMAT must be json or text, got '" + format + "'");
    }
    root.addHandler(handler);
    root.setLevel(parsed);
  }
}
