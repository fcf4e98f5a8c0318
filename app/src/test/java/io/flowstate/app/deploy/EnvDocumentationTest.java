package io.flowstate.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * docs/OPERATIONS.md's configuration tables and the code agree: every variable in a table row's
 * first column is read by the code, and every {@code "FLOWSTATE_…"} literal of the main sources is
 * documented in a table.
 */
@DisplayName("docs/OPERATIONS.md configuration tables")
class EnvDocumentationTest {
  @Test
  @DisplayName("document exactly the FLOWSTATE_* variables the code reads")
  void documentedEqualsRead() throws IOException {
    Set<String> documented = new TreeSet<>();
    for (String line : Files.readAllLines(DeploymentFilesTest.ROOT.resolve("docs/OPERATIONS.md"))) {
      if (line.startsWith("|")) {
        String[] cells = line.split("\\|");
        if (cells.length > 1) {
          documented.addAll(DeploymentFilesTest.envNames(cells[1]));
        }
      }
    }
    Set<String> read = ConfigCode.variables();
    assertThat(documented).as("documented in docs/OPERATIONS.md tables").hasSizeGreaterThan(50);
    Set<String> undocumented = new TreeSet<>(read);
    undocumented.removeAll(documented);
    Set<String> unknown = new TreeSet<>(documented);
    unknown.removeAll(read);
    assertThat(undocumented).as("read by the code but missing from the tables of docs/OPERATIONS.md").isEmpty();
    assertThat(unknown).as("documented in docs/OPERATIONS.md but read nowhere in the code").isEmpty();
  }
}
