package io.flowstate.testkit;

import io.vertx.pgclient.PgConnectOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * PostgreSQL URIs as FlowState configures them ({@code postgresql://user[:pw]@host:port/db},
 * the form {@code PgConnectOptions.fromUri} reads), turned into JDBC connections for the
 * administrative statements tests need and re-targeted at another database.
 */
final class PgUrls {
  private static final String MAINTENANCE_DB = "postgres";

  private PgUrls() {
  }

  /** The same server, credentials and parameters, but database {@code database}. */
  static String withDatabase(String url, String database) {
    URI uri = parse(url);
    if (uri.getRawAuthority() == null) {
      throw new IllegalArgumentException("PostgreSQL URL has no host: " + url);
    }
    return uri.getScheme() + "://" + uri.getRawAuthority() + "/" + database
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
  }

  /** A JDBC connection to the URL's database, or to {@code postgres} when it names none. */
  static Connection connect(String url) throws SQLException {
    PgConnectOptions options = PgConnectOptions.fromUri(url);
    String path = parse(url).getPath();
    String database = path == null || path.length() <= 1 ? MAINTENANCE_DB : options.getDatabase();
    String host = options.getHost();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    Properties props = new Properties();
    props.setProperty("user", options.getUser());
    if (options.getPassword() != null) {
      props.setProperty("password", options.getPassword());
    }
    props.setProperty("connectTimeout", "10");
    props.setProperty("socketTimeout", "60");
    return DriverManager.getConnection(
        "jdbc:postgresql://" + host + ":" + options.getPort() + "/" + database, props);
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /** Server identity for messages, without credentials. */
  static String redact(String url) {
    URI uri = parse(url);
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    return uri.getScheme() + "://" + uri.getHost() + ":" + port
        + (uri.getPath() == null ? "" : uri.getPath());
  }

  private static URI parse(String url) {
    try {
      return new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a PostgreSQL URL: " + e.getMessage(), e);
    }
  }
}
