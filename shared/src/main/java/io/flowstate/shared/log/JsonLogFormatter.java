package io.flowstate.shared.log;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One JSON object per log line: {@code ts}, {@code level}, {@code logger}, {@code msg}, the
 * process's fixed fields (service, gateway/sequencer id) and {@code error} with the stack trace
 * when there is one. Encoded with the shared Jackson mapper, so any message text is escaped.
 */
public final class JsonLogFormatter extends Formatter {
  private final Map<String, String> fields;

  public JsonLogFormatter(Map<String, String> fields) {
    this.fields = Map.copyOf(fields);
  }

  @Override
  public String format(LogRecord record) {
    ObjectNode line = Json.object();
    line.put("ts", Instant.ofEpochMilli(record.getMillis()).toString());
    line.put("level", record.getLevel().getName());
    line.put("logger", record.getLoggerName());
    line.put("msg", record.getParameters() != null && record.getParameters().length == 1
        && record.getParameters()[0] instanceof Map ? record.getMessage() : formatMessage(record));
    fields.forEach(line::put);
    Object[] parameters = record.getParameters();
    if (parameters != null && parameters.length == 1 && parameters[0] instanceof Map<?, ?> extra) {
      extra.forEach((k, v) -> line.put(String.valueOf(k), String.valueOf(v)));
    }
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(trace));
      line.put("error", trace.toString());
    }
    return Json.write(line) + System.lineSeparator();
  }
}
