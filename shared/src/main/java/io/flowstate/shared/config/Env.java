package io.flowstate.shared.config;

import java.util.Map;

/**
 * Typed reads of FlowState's environment variables with defaults. Only the config records use it
 * (at startup); nothing deeper in the services reads the environment.
 */
public final class Env {
  private final Map<String, String> vars;

  public Env(Map<String, String> vars) {
    this.vars = vars;
  }

  public static Env system() {
    return new Env(System.getenv());
  }

  public String string(String name, String fallback) {
    String value = vars.get(name);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  public int integer(String name, int fallback) {
    String value = string(name, null);
    if (value == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'");
    }
  }

  public long longValue(String name, long fallback) {
    String value = string(name, null);
    if (value == null) {
      return fallback;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'");
    }
  }

  /** A comma-separated list; empty when unset. */
  public java.util.List<String> list(String name) {
    String value = string(name, null);
    if (value == null) {
      return java.util.List.of();
    }
    java.util.List<String> items = new java.util.ArrayList<>();
    for (String item : value.split(",")) {
      if (!item.isBlank()) {
        items.add(item.trim());
      }
    }
    return java.util.List.copyOf(items);
  }

  public boolean bool(String name, boolean fallback) {
    String value = string(name, null);
    if (value == null) {
      return fallback;
    }
    switch (value.toLowerCase()) {
      case "true": case "1": case "yes": case "on":
        return true;
      case "false": case "0": case "no": case "off":
        return false;
      default:
        throw new IllegalArgumentException(name + " must be true or false, got '" + value + "'");
    }
  }
}
