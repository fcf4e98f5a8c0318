package io.flowstate.shared.log;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Logs an event with structured fields (room, user, version, …) that the JSON format writes as
 * their own keys; the text format shows only the message. Fields are key/value pairs.
 */
public final class Log {
  private Log() {
  }

  public static void event(Logger logger, Level level, String message, Throwable error, Object... keyValues) {
    if (!logger.isLoggable(level)) {
      return;
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      fields.put(String.valueOf(keyValues[i]), String.valueOf(keyValues[i + 1]));
    }
    LogRecord record = new LogRecord(level, message);
    record.setLoggerName(logger.getName());
    record.setParameters(new Object[] {fields});
    record.setThrown(error);
    logger.log(record);
  }
}
