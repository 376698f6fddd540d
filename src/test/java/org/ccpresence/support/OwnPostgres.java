package org.ccpresence.support;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A PostgreSQL server of a test's own, for drills that crash it: the installed server's binaries (Debian's
 * /usr/lib/postgresql/&lt;version&gt;/bin, the newest, as src/dev/local-services finds the server; else those on the
 * PATH), a cluster made with initdb, listening on a free port on 127.0.0.1 only, trust authentication. PostgreSQL
 * refuses to run as root: as root, the cluster belongs to the postgres user and lives in a temporary directory it may
 * enter.
 */
public final class OwnPostgres implements AutoCloseable {

    public final int port;
    private final Path home;
    private final Path data;
    private final Path bin;
    private final boolean asRoot = "root".equals(System.getProperty("user.name"));

    private OwnPostgres(Path home, Path bin, int port) {
        this.home = home;
        this.data = home.resolve("data");
        this.bin = bin;
        this.port = port;
    }

    public static OwnPostgres start(String name) throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path home = root ? Files.createTempDirectory("presence-" + name + "-") : Path.of("target", name).toAbsolutePath();
        deleteRecursively(home);
        Files.createDirectories(home);
        OwnPostgres pg = new OwnPostgres(home, binaries(), freePort());
        if (root) {
            pg.run(List.of("chown", "-R", "postgres:postgres", home.toString()), false);
        }
        pg.run(List.of(pg.bin.resolve("initdb").toString(), "-D", pg.data.toString(), "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--no-sync"), true);
        pg.start();
        return pg;
    }

    /** Starts the server (again) on the same port and waits until it takes connections. */
    public void start() throws Exception {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", home.resolve("server.log").toString(),
                "-w", "-t", "60", "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
                        + "-c max_connections=200 -c fsync=on", "start"), true);
    }

    /** A crash: every server process stops at once, without a checkpoint; the next start recovers from the WAL. */
    public void crash() throws Exception {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "stop"), true);
    }

    public String reactiveUrl(String database) {
        return "postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), "postgres", "");
    }

    public void createDatabase(String database) throws SQLException {
        try (Connection c = connect("postgres")) {
            c.createStatement().execute("CREATE DATABASE \"" + database + "\"");
        }
    }

    /** What a replica needs to run on this server instead of the tests' one. */
    public Map<String, String> replicaEnv(String database) {
        return Map.of("QUARKUS_DATASOURCE_REACTIVE_URL", reactiveUrl(database), "QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl(database),
                "QUARKUS_DATASOURCE_USERNAME", "postgres", "QUARKUS_DATASOURCE_PASSWORD", "");
    }

    @Override
    public void close() throws Exception {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "stop"), false);
        if (asRoot) {
            deleteRecursively(home);
        }
    }

    private void run(List<String> command, boolean mustSucceed) throws Exception {
        List<String> full = new ArrayList<>();
        if (asRoot && !command.get(0).equals("chown")) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0 && mustSucceed) {
            throw new IllegalStateException(String.join(" ", full) + " failed: " + output);
        }
    }

    private static Path binaries() {
        File[] versions = new File("/usr/lib/postgresql").listFiles(f -> new File(f, "bin/initdb").canExecute());
        if (versions != null && versions.length > 0) {
            return Arrays.stream(versions).max(Comparator.comparingInt(f -> Integer.parseInt(f.getName().replaceAll("\\D", "0"))))
                    .orElseThrow().toPath().resolve("bin");
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, "initdb").canExecute()) {
                return Path.of(dir);
            }
        }
        throw new IllegalStateException("initdb not found (in /usr/lib/postgresql/<version>/bin or on the PATH): "
                + "install the PostgreSQL server package");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (Files.exists(path)) {
            try (var walk = Files.walk(path)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
