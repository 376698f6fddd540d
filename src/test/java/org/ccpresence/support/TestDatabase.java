package org.ccpresence.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Makes sure the tests' own database exists on the real PostgreSQL server before Quarkus starts (and runs the
 * migrations in it), and points the service at the tests' token issuer. Host, port, database and user come from the
 * usual PG* variables.
 */
public class TestDatabase implements QuarkusTestResourceLifecycleManager {

    public static String host() {
        return env("PGHOST", "127.0.0.1");
    }

    public static String port() {
        return env("PGPORT", "5432");
    }

    public static String name() {
        return env("PGDATABASE", "presence_test");
    }

    public static String user() {
        return env("PGUSER", "postgres");
    }

    public static String password() {
        return env("PGPASSWORD", "postgres"); // what src/dev/local-services sets where a password is asked
    }

    public static String jdbcUrl() {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + name();
    }

    /** A plain JDBC connection to the test database, for tests that need to break or inspect it. */
    public static Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user(), password());
    }

    /** Drops and creates a database of that name (for the benchmark's own, fresh database). */
    public static void recreate(String database) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + host() + ":" + port() + "/postgres", user(), password())) {
            c.createStatement().execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
            c.createStatement().execute("CREATE DATABASE \"" + database + "\"");
        }
    }

    /** A fresh database of that name and the service's connection to it (for a test profile's resource). */
    public static Map<String, String> freshDatasource(String database) {
        try {
            recreate(database);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create " + database, e);
        }
        String hostPort = host() + ":" + port() + "/" + database;
        return Map.of("quarkus.datasource.reactive.url", "postgresql://" + hostPort,
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://" + hostPort);
    }

    public static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + host() + ":" + port() + "/" + database, user(), password());
    }

    @Override
    public Map<String, String> start() {
        String admin = "jdbc:postgresql://" + host() + ":" + port() + "/postgres";
        try (Connection c = DriverManager.getConnection(admin, user(), password());
                var exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, name());
            if (!exists.executeQuery().next()) {
                c.createStatement().execute("CREATE DATABASE \"" + name().replace("\"", "") + "\"");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot reach PostgreSQL at " + admin + " as " + user()
                    + " to create the test database; is the server running?", e);
        }
        // The service under test trusts the tests' own identity provider.
        return Map.of("mp.jwt.verify.publickey.location", Tokens.publicKeyLocation().toString(),
                "mp.jwt.verify.issuer", Tokens.ISSUER);
    }

    @Override
    public void stop() {
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
