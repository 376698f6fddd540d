package org.ccpresence.replicas;

import static org.ccpresence.support.GraphQL.postTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.ccpresence.support.Replica;
import org.ccpresence.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * The manifest {@code ./mvnw package} generates (target/kubernetes/kubernetes.yml), read as a cluster would read it,
 * and its ConfigMap's values run on the packaged service. No cluster runs on these machines.
 */
class KubernetesManifestIT {

    /** Values every deployment sets for itself: the tests' replica takes its own. */
    static final Set<String> DEPLOYMENT_SPECIFIC = Set.of("QUARKUS_HTTP_PORT", "QUARKUS_DATASOURCE_REACTIVE_URL",
            "QUARKUS_DATASOURCE_JDBC_URL", "MP_JWT_VERIFY_ISSUER");

    static Map<String, JsonNode> resources = new HashMap<>();
    static Vertx vertx;

    @BeforeAll
    static void readManifest() throws Exception {
        try (var documents = new YAMLMapper().readerFor(JsonNode.class)
                .<JsonNode>readValues(Path.of("target/kubernetes/kubernetes.yml").toFile())) {
            documents.forEachRemaining(d -> resources.put(d.path("kind").asText() + "/" + d.path("metadata").path("name").asText(), d));
        }
        new TestDatabase().start();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void close() {
        if (vertx != null) {
            vertx.close();
        }
    }

    static JsonNode resource(String kindAndName) {
        JsonNode r = resources.get(kindAndName);
        assertTrue(r != null, () -> kindAndName + " is not in the manifest; it has " + resources.keySet());
        return r;
    }

    static JsonNode container() {
        return resource("Deployment/presence-service").at("/spec/template/spec/containers/0");
    }

    @Test
    void theDeploymentKeepsAReadyReplicaThroughUpdatesAndDrains() {
        JsonNode deployment = resource("Deployment/presence-service");
        assertEquals(2, deployment.at("/spec/replicas").asInt());
        assertEquals("RollingUpdate", deployment.at("/spec/strategy/type").asText());
        // an IntOrString given as text must be a percentage: "0" would be refused by the API server
        assertEquals("0%", deployment.at("/spec/strategy/rollingUpdate/maxUnavailable").asText());
        assertTrue(deployment.at("/spec/strategy/rollingUpdate/maxSurge").asText().matches("[1-9][0-9]*%"));
        JsonNode selector = deployment.at("/spec/selector/matchLabels");
        assertTrue(selector.path("app.kubernetes.io/version").isMissingNode(), "a version in the selector blocks the next release");

        JsonNode budget = resource("PodDisruptionBudget/presence-service");
        assertEquals(1, budget.at("/spec/minAvailable").asInt());
        JsonNode podLabels = deployment.at("/spec/template/metadata/labels");
        budget.at("/spec/selector/matchLabels").fields()
                .forEachRemaining(l -> assertEquals(l.getValue().asText(), podLabels.path(l.getKey()).asText(), l.getKey()));
        JsonNode service = resource("Service/presence-service");
        service.at("/spec/selector").fields()
                .forEachRemaining(l -> assertEquals(l.getValue().asText(), podLabels.path(l.getKey()).asText(), l.getKey()));
    }

    @Test
    void probesPortsAndResources() {
        JsonNode c = container();
        assertEquals(8080, c.at("/ports/0/containerPort").asInt());
        assertEquals("http", c.at("/ports/0/name").asText());
        assertEquals(8080, resource("Service/presence-service").at("/spec/ports/0/targetPort").asInt());
        assertEquals("/q/health/ready", c.at("/readinessProbe/httpGet/path").asText());
        assertEquals("/q/health/live", c.at("/livenessProbe/httpGet/path").asText());
        assertEquals("/q/health/started", c.at("/startupProbe/httpGet/path").asText());
        // migrations run before the port opens: the startup probe waits for them, not the liveness probe
        int startupSeconds = c.at("/startupProbe/periodSeconds").asInt() * c.at("/startupProbe/failureThreshold").asInt();
        assertTrue(startupSeconds >= 300, "the startup probe allows " + startupSeconds + " s");
        for (String path : List.of("/resources/requests/cpu", "/resources/requests/memory", "/resources/limits/cpu",
                "/resources/limits/memory")) {
            assertTrue(!c.at(path).asText().isEmpty(), path);
        }
        assertTrue(resources.keySet().stream().noneMatch(k -> k.startsWith("Job/") || k.startsWith("ServiceMonitor/")),
                "nothing a plain cluster cannot apply, and no migration Job: " + resources.keySet());
    }

    @Test
    void everyVariableTheReadmeDocumentsIsWired() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Set<String> documented = documentedVariables(readme);
        Set<String> inSecret = new TreeSet<>();
        Matcher literal = Pattern.compile("--from-literal=([A-Z][A-Z0-9_]+)=").matcher(readme);
        while (literal.find()) {
            inSecret.add(literal.group(1));
        }
        Set<String> inConfigMap = new TreeSet<>();
        resource("ConfigMap/presence-config").path("data").fieldNames().forEachRemaining(inConfigMap::add);

        JsonNode envFrom = container().path("envFrom");
        assertEquals(Set.of("configMapRef:presence-config", "secretRef:presence-secrets"),
                Set.of(ref(envFrom.get(0)), ref(envFrom.get(1))));
        Set<String> wired = new TreeSet<>(inConfigMap);
        wired.addAll(inSecret);
        Set<String> missing = new TreeSet<>(documented);
        missing.removeAll(wired);
        assertEquals(Set.of(), missing, "documented in the README but neither in the ConfigMap nor in the Secret");
        Set<String> undocumented = new TreeSet<>(wired);
        undocumented.removeAll(documented);
        assertEquals(Set.of(), undocumented, "wired but not in the README's tables");
        assertEquals(Set.of(), intersection(inSecret, inConfigMap), "in both the ConfigMap and the Secret");
        assertTrue(inSecret.containsAll(Set.of("QUARKUS_DATASOURCE_PASSWORD", "MP_JWT_VERIFY_PUBLICKEY_LOCATION")), inSecret::toString);
    }

    /** The ConfigMap as shipped (its values, empty ones included) runs the packaged service. */
    @Test
    void theConfigMapsValuesRunTheService() throws Exception {
        Path log;
        try (Replica replica = Replica.start("k8s-config", configMap(Map.of()))) {
            log = replica.log;
            var answer = postTo(replica.port, "{ presences { name } }");
            assertNull(answer.get("errors"), answer::prettify);
            assertTrue(answer.getList("data.presences.name").contains("Available"));
            // requests at once, so that the pool opens several connections: an operator's start shows no warning
            java.util.concurrent.ExecutorService parallel = java.util.concurrent.Executors.newFixedThreadPool(16);
            List<java.util.concurrent.Future<?>> queries = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                queries.add(parallel.submit(() -> assertNull(postTo(replica.port, "{ agents(first: 10) { id presence { name } } }").get("errors"))));
            }
            for (java.util.concurrent.Future<?> q : queries) {
                q.get();
            }
            parallel.shutdown();
            assertEquals(List.of(), warnings(log), "a replica that starts and serves logs no warning");
            // behind the shipped trusted ranges (the pod network), this test's loopback address is not a proxy: a
            // forged X-Forwarded-For is not believed, and one address is held to its 100 sockets
            assertEquals(100, admittedFrom(replica, 120, true));
        }
        // stopped as Kubernetes stops a pod (SIGTERM): its sweeps and its LISTEN connection stop without a warning
        assertEquals(List.of(), warnings(log), "a replica that stops logs no warning");
    }

    /**
     * The WARN and ERROR lines of a replica's log but one, from upstream: Vert.x's PostgreSQL client makes client
     * metrics per connection and Quarkus's binder registers a postgresql.queue.size gauge for each, so the pool's
     * second connection registers it again (PgConnectionFactory.newSocketConnection -> VertxClientMetrics.<init>).
     */
    private static List<String> warnings(Path log) throws Exception {
        return Files.readAllLines(log).stream().filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                .filter(l -> !l.contains("This Gauge has been already registered (MeterId{name='postgresql.queue.size'"))
                .toList();
    }

    /** Behind a proxy the service trusts, each desktop is held to its own limit, not the proxy's address. */
    @Test
    void behindATrustedProxyEachForwardedAddressHasItsOwnLimit() throws Exception {
        try (Replica replica = Replica.start("k8s-proxy", configMap(Map.of("QUARKUS_HTTP_PROXY_TRUSTED_PROXIES", "127.0.0.1")))) {
            // the proxy's own address first: its sockets are still being closed while the forwarded ones arrive
            assertEquals(100, admittedFrom(replica, 120, false));
            assertEquals(300, admittedFrom(replica, 300, true));
        }
    }

    /**
     * Opens that many WebSockets that never send connection_init, each with its own X-Forwarded-For (or none), and
     * counts those upgraded; the refused get HTTP 429. The sockets stay open until all were tried.
     */
    static int admittedFrom(Replica replica, int sockets, boolean forwarded) throws Exception {
        // Vert.x holds a client to 50 WebSockets per server unless told otherwise, and queues the rest
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setMaxWebSockets(sockets));
        try {
            List<Future<WebSocket>> attempts = new ArrayList<>();
            for (int i = 0; i < sockets; i++) {
                WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("localhost").setPort(replica.port)
                        .setURI("/graphql").setSubProtocols(List.of("graphql-transport-ws"));
                if (forwarded) {
                    options.addHeader("X-Forwarded-For", "203.0." + (i / 250) + "." + (i % 250 + 1));
                }
                attempts.add(http.webSocket(options));
            }
            int admitted = 0;
            for (Future<WebSocket> attempt : attempts) {
                try {
                    attempt.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
                    admitted++;
                } catch (java.util.concurrent.ExecutionException e) {
                    assertTrue(e.getCause() instanceof UpgradeRejectedException rejected && rejected.getStatus() == 429,
                            () -> "refused otherwise than with 429: " + e.getCause());
                }
            }
            return admitted;
        } finally {
            http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    static Map<String, String> configMap(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        resource("ConfigMap/presence-config").path("data").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        DEPLOYMENT_SPECIFIC.forEach(env::remove);
        env.putAll(overrides);
        return env;
    }

    /** The variables in the first column of the README's tables; "`A_B_EVERY` / `_BATCH`" names A_B_EVERY and A_B_BATCH. */
    static Set<String> documentedVariables(String readme) {
        Set<String> names = new LinkedHashSet<>();
        Pattern name = Pattern.compile("`(_?[A-Z][A-Z0-9_]+)`");
        for (String line : readme.lines().filter(l -> l.startsWith("| `")).toList()) {
            String firstCell = line.substring(1, line.indexOf('|', 1));
            Matcher m = name.matcher(firstCell);
            String first = null;
            while (m.find()) {
                String n = m.group(1);
                if (n.startsWith("_")) {
                    names.add(first.substring(0, first.lastIndexOf('_')) + n);
                } else {
                    first = n;
                    names.add(n);
                }
            }
        }
        return names;
    }

    static String ref(JsonNode envFrom) {
        String kind = envFrom.fieldNames().next();
        return kind + ":" + envFrom.path(kind).path("name").asText();
    }

    static Set<String> intersection(Set<String> a, Set<String> b) {
        Set<String> both = new TreeSet<>(a);
        both.retainAll(b);
        return both;
    }
}
