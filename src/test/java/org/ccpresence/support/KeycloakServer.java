package org.ccpresence.support;

import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real identity provider for the single sign-on tests: Keycloak from Maven Central (org.keycloak:keycloak-quarkus-dist,
 * unpacked into target/keycloak by the build), started in dev mode on port 8180 with the realm of
 * src/test/resources/keycloak imported. It needs Java 21 or newer: {@code -Dkeycloak.java.home} or, by default, the
 * newest JDK under /usr/lib/jvm.
 */
public final class KeycloakServer implements AutoCloseable {

    public static final int PORT = 8180;
    public static final String REALM_URL = "http://localhost:" + PORT + "/realms/contact-center";
    public static final String CLIENT_ID = "presence-ui";

    private Process process;

    /** Starts Keycloak and returns what a replica needs to verify its tokens and to offer sign-in there. */
    public Map<String, String> start() {
        try {
            Path home = Files.list(Path.of("target", "keycloak")).filter(Files::isDirectory).findFirst()
                    .orElseThrow(() -> new IllegalStateException("target/keycloak is empty: the build unpacks Keycloak there"));
            Path imports = Files.createDirectories(home.resolve("data").resolve("import"));
            Files.copy(Path.of("src/test/resources/keycloak/contact-center-realm.json"), imports.resolve("contact-center-realm.json"),
                    StandardCopyOption.REPLACE_EXISTING);
            ProcessBuilder pb = new ProcessBuilder(home.resolve("bin").resolve("kc.sh").toString(), "start-dev",
                    "--http-port=" + PORT, "--import-realm", "--cache=local", "--health-enabled=false");
            pb.environment().put("JAVA_HOME", javaHome());
            pb.redirectErrorStream(true).redirectOutput(Path.of("target", "keycloak.log").toFile());
            process = pb.start();
            awaitRealm(Duration.ofMinutes(4));
            return Map.of(
                    "MP_JWT_VERIFY_PUBLICKEY_LOCATION", REALM_URL + "/protocol/openid-connect/certs",
                    "MP_JWT_VERIFY_ISSUER", REALM_URL,
                    "PRESENCE_UI_OIDC_ISSUER", REALM_URL,
                    "PRESENCE_UI_OIDC_CLIENT_ID", CLIENT_ID);
        } catch (Exception e) {
            close();
            throw new IllegalStateException("Keycloak did not start (see target/keycloak.log): " + e.getMessage(), e);
        }
    }

    private static String javaHome() throws Exception {
        String configured = System.getProperty("keycloak.java.home");
        if (configured != null) {
            return configured;
        }
        try (var jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            return jdks.filter(p -> p.getFileName().toString().matches(".*-(2[1-9]|[3-9]\\d)(-|\\.|$).*"))
                    .filter(p -> Files.isExecutable(p.resolve("bin").resolve("java"))).map(Path::toString).sorted()
                    .reduce((a, b) -> b).orElseThrow(() -> new IllegalStateException(
                            "Keycloak needs Java 21 or newer: install one under /usr/lib/jvm or pass -Dkeycloak.java.home=…"));
        }
    }

    private void awaitRealm(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with " + process.exitValue());
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(REALM_URL + "/.well-known/openid-configuration").toURL()
                        .openConnection();
                if (c.getResponseCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // starting
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the realm did not answer within " + timeout);
    }

    /** An access token from Keycloak's token endpoint (the test realm allows the password grant for set-up). */
    public static String token(String username, String password) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        String form = "grant_type=password&client_id=" + CLIENT_ID + "&username=" + username + "&password=" + password;
        var response = http.send(java.net.http.HttpRequest.newBuilder(URI.create(REALM_URL + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return new io.vertx.core.json.JsonObject(response.body()).getString("access_token");
    }

    @Override
    public void close() {
        if (process != null) {
            List<ProcessHandle> tree = process.descendants().toList();
            process.destroy();
            tree.forEach(ProcessHandle::destroy);
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
