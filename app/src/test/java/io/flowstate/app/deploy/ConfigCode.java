package io.flowstate.app.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the services really read and export, found in their main sources: every {@code "FLOWSTATE_…"}
 * string literal (rate prefixes passed to {@code Rate.parse} expand to {@code _PER_SECOND} and
 * {@code _BURST}) plus the variables of the {@code ./flowstate} launcher, and every meter registered
 * through {@code Metrics} under its Prometheus series names.
 */
final class ConfigCode {
  private static final Pattern LITERAL = Pattern.compile("\"(FLOWSTATE_[A-Z0-9_]+)\"");
  private static final Pattern RATE = Pattern.compile("Rate\\.parse\\(\\s*env,\\s*\"(FLOWSTATE_[A-Z0-9_]+)\"");
  private static final Pattern METER =
      Pattern.compile("metrics\\.(counter|count|timer|gauge|summary)\\(\\s*\"(flowstate\\.[a-z0-9.]+)\"");
  private static Set<String> variables;
  private static Set<String> series;

  private ConfigCode() {
  }

  static synchronized Set<String> variables() {
    if (variables == null) {
      Set<String> names = new TreeSet<>();
      for (String source : mainSources()) {
        Matcher m = LITERAL.matcher(source);
        while (m.find()) {
          names.add(m.group(1));
        }
        Matcher rate = RATE.matcher(source);
        while (rate.find()) {
          names.remove(rate.group(1));
          names.add(rate.group(1) + "_PER_SECOND");
          names.add(rate.group(1) + "_BURST");
        }
      }
      names.addAll(DeploymentFilesTest.envNames(read(DeploymentFilesTest.ROOT.resolve("flowstate"))));
      variables = names;
    }
    return variables;
  }

  static synchronized Set<String> metricSeries() {
    if (series == null) {
      Set<String> names = new TreeSet<>();
      for (String source : mainSources()) {
        Matcher m = METER.matcher(source);
        while (m.find()) {
          String base = m.group(2).replace('.', '_');
          switch (m.group(1)) {
            case "counter", "count" -> names.add(base + "_total");
            case "timer" -> {
              for (String suffix : new String[] {"_bucket", "_count", "_sum", "_max"}) {
                names.add(base + "_seconds" + suffix);
              }
            }
            case "summary" -> {
              for (String suffix : new String[] {"_bucket", "_count", "_sum", "_max"}) {
                names.add(base + suffix);
              }
            }
            default -> names.add(base);
          }
        }
      }
      series = names;
    }
    return series;
  }

  private static java.util.List<String> mainSources() {
    java.util.List<String> sources = new java.util.ArrayList<>();
    try {
      Files.walkFileTree(DeploymentFilesTest.ROOT, new java.nio.file.SimpleFileVisitor<>() {
        @Override
        public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes a) {
          String name = String.valueOf(dir.getFileName());
          return Set.of("target", "node_modules", ".git", "test").contains(name)
              ? java.nio.file.FileVisitResult.SKIP_SUBTREE : java.nio.file.FileVisitResult.CONTINUE;
        }

        @Override
        public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a) {
          if (file.toString().endsWith(".java") && file.toString().contains("/src/main/java/")) {
            sources.add(read(file));
          }
          return java.nio.file.FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sources;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
