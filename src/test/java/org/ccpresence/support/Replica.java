package org.ccpresence.support;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One replica of the service: the packaged application started the way operators start it
 * ({@code java -jar target/quarkus-app/quarkus-run.jar}, prod profile, configured only through environment variables),
 * on the tests' database.
 */
public final class Replica implements AutoCloseable {

    public final int port;
    private final Process process;
    public final Path log;

    private Replica(int port, Process process, Path log) {
        this.port = port;
        this.process = process;
        this.log = log;
    }

    public static Replica start(String name, Map<String, String> extraEnv) throws Exception {
        return start(name, TestDatabase.name(), List.of("-Xmx256m"), extraEnv);
    }

    /** A replica on the given database, with the given JVM options (e.g. heap size, JFR). */
    public static Replica start(String name, String database, List<String> jvmOptions, Map<String, String> extraEnv) throws Exception {
        return start(name, System.getProperty("replica.jar", "target/quarkus-app/quarkus-run.jar"), database, jvmOptions, extraEnv);
    }

    /** A replica of the given packaged jar (e.g. the previous release's), on the given database. */
    public static Replica start(String name, String jar, String database, List<String> jvmOptions, Map<String, String> extraEnv)
            throws Exception {
        if (!new File(jar).exists()) {
            throw new IllegalStateException(jar + " is missing: integration tests run after `./mvnw package`");
        }
        int port = freePort();
        Path log = Path.of("target", "replica-" + name + ".log");
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL",
                "postgresql://" + TestDatabase.host() + ":" + TestDatabase.port() + "/" + database);
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://" + TestDatabase.host() + ":" + TestDatabase.port() + "/" + database);
        env.put("QUARKUS_DATASOURCE_USERNAME", TestDatabase.user());
        env.put("QUARKUS_DATASOURCE_PASSWORD", TestDatabase.password());
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", Tokens.publicKeyLocation().toString());
        env.put("MP_JWT_VERIFY_ISSUER", Tokens.ISSUER);
        env.putAll(extraEnv);
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Replica replica = new Replica(port, pb.start(), log);
        replica.awaitReady(Duration.ofSeconds(60));
        return replica;
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("replica exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://localhost:" + port + "/q/health/ready").toURL().openConnection();
                if (c.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("replica not ready within " + timeout + "; see " + log);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
