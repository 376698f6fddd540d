package org.ccpresence.replicas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.ccpresence.support.Replica;
import org.ccpresence.support.TestDatabase;
import org.ccpresence.support.Tokens;
import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

/**
 * The soak: one packaged replica (-Xmx256m) under a steady 300 setPresence/s for ten minutes, with 1 500 desktop
 * subscriptions that stay and 500 that connect, subscribe, stay a few seconds and leave, over and over. At the end the
 * live heap (after a full GC) is within 10 % of what it was after the warm-up, the threads and database connections do
 * not grow, and every acknowledged change reached each staying desktop exactly once. Not part of {@code verify}:
 * {@code ./mvnw -Psoak verify} (BENCHMARKS.md, "Reliability"); -Dsoak.minutes shortens it.
 */
class SoakDrill {

    static final String DATABASE = "presence_soak";
    static final int STAYING = 1_500;
    static final int COMING_AND_GOING = 500;
    static final int AGENTS = STAYING + COMING_AND_GOING;
    static final int RATE = 300;
    static final String SUBSCRIBE = "subscription($a: [ID!]) { presenceChanged(agentIds: $a) { sequence agentId current { id } } }";
    static final String SET_PRESENCE = "mutation($a: ID, $p: ID!) { setPresence(agentId: $a, presenceId: $p) { id } }";

    record Sample(int minute, long liveHeapKb, long threads, long dbConnections, long rssKb, long sockets) {
        @Override
        public String toString() {
            return String.format("%5.1f min: live heap %,d KiB, threads %d, database connections %d, RSS %,d MiB, client sockets open %d",
                    minute / 10.0, liveHeapKb, threads, dbConnections, rssKb / 1024, sockets);
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = vertx.createHttpClient(new HttpClientOptions().setMaxWebSockets(AGENTS * 2).setMaxPoolSize(64));
    private final String[] tokens = new String[AGENTS];
    private final AtomicLongArray acknowledged = new AtomicLongArray(AGENTS);
    private final AtomicLongArray received = new AtomicLongArray(AGENTS);
    private final AtomicLong openSockets = new AtomicLong();
    private final AtomicLong visits = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong failedCalls = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);

    @Test
    void tenMinutesOfChurnLeaveHeapThreadsAndConnectionsFlat() throws Exception {
        double minutes = Double.parseDouble(System.getProperty("soak.minutes", "10"));
        TestDatabase.recreate(DATABASE);
        // the desktops of a real floor connect from many addresses; here all come from one
        Replica replica = Replica.start("soak", DATABASE, List.of("-Xmx256m"),
                java.util.Map.of("PRESENCE_GRAPHQL_MAX_UNINITIALISED_PER_ADDRESS", Integer.toString(2 * AGENTS)));
        try (Connection c = TestDatabase.connect(DATABASE)) {
            long[] agentIds = new long[AGENTS];
            var created = c.createStatement().executeQuery("INSERT INTO agent (user_id, name, signed_in, presence_id, "
                    + "presence_cause, presence_since) SELECT 'soak-' || g, 'Soak ' || g, true, 1, 'SIGN_IN', now() "
                    + "FROM generate_series(0, " + (AGENTS - 1) + ") g ORDER BY g RETURNING id");
            for (int i = 0; created.next(); i++) {
                agentIds[i] = created.getLong(1);
            }
            long start = single(c, "SELECT coalesce(max(sequence), 0) FROM presence_change");
            for (int i = 0; i < AGENTS; i++) {
                tokens[i] = Tokens.agent("soak-" + i); // a desktop keeps its token across reconnects
            }
            for (int i = 0; i < STAYING; i++) {
                connect(replica.port, i, agentIds[i], null);
            }
            awaitOpen(STAYING);
            for (int i = STAYING; i < AGENTS; i++) {
                comeAndGo(replica.port, i, agentIds[i]);
            }
            Thread load = new Thread(() -> drive(replica.port, agentIds), "soak-load");
            load.start();

            long soakNanos = (long) (minutes * 60e9);
            long t0 = System.nanoTime();
            List<Sample> samples = new ArrayList<>();
            Thread.sleep(Math.min(60_000, soakNanos / 10_000_000)); // warm-up: JIT, pools, caches
            for (long next = System.nanoTime(); ; next += 30_000_000_000L) {
                LockSupport.parkNanos(next - System.nanoTime());
                int tenths = (int) ((System.nanoTime() - t0) / 6_000_000_000L);
                samples.add(sample(replica, c, tenths));
                System.out.println("soak " + samples.get(samples.size() - 1));
                if (System.nanoTime() - t0 > soakNanos) {
                    break;
                }
            }
            running.set(false);
            load.join();
            Thread.sleep(5000); // the last answers and events

            long history = single(c, "SELECT count(*) FROM presence_change WHERE sequence > " + start);
            long calls = 0;
            long stayingCalls = 0;
            long stayingReceived = 0;
            int stayingWrong = 0;
            for (int i = 0; i < AGENTS; i++) {
                calls += acknowledged.get(i);
                if (i < STAYING) {
                    stayingCalls += acknowledged.get(i);
                    stayingReceived += received.get(i);
                    stayingWrong += acknowledged.get(i) == received.get(i) ? 0 : 1;
                }
            }
            Sample first = samples.get(0);
            Sample last = samples.get(samples.size() - 1);
            long maxThreads = samples.stream().limit(Math.max(1, samples.size() / 2)).mapToLong(Sample::threads).max().orElseThrow();
            long maxConnections = samples.stream().limit(Math.max(1, samples.size() / 2)).mapToLong(Sample::dbConnections).max().orElseThrow();
            System.out.printf("drill soak: %.1f min at %d setPresence/s: %d acknowledged (%d failed), history %d; staying desktops "
                    + "received %d of %d (desktops with a different count: %d); %d visits by coming-and-going desktops (%d "
                    + "refused); live heap %,d -> %,d KiB (%+.1f %%), threads %d -> %d (first half's max %d), database "
                    + "connections %d -> %d (first half's max %d)%n", minutes, RATE, calls, failedCalls.get(), history,
                    stayingReceived, stayingCalls, stayingWrong, visits.get(), refused.get(), first.liveHeapKb(),
                    last.liveHeapKb(), 100.0 * (last.liveHeapKb() - first.liveHeapKb()) / first.liveHeapKb(), first.threads(),
                    last.threads(), maxThreads, first.dbConnections(), last.dbConnections(), maxConnections);

            assertEquals(0, failedCalls.get(), "every setPresence acknowledged");
            assertEquals(calls, history, "every acknowledged change in the history once, nothing else");
            assertEquals(0, stayingWrong, "each staying desktop received each of its agent's changes exactly once");
            assertEquals(0, refused.get(), "no coming-and-going desktop refused");
            assertTrue(last.liveHeapKb() <= first.liveHeapKb() * 1.10, "live heap within 10 % of the start");
            assertTrue(last.threads() <= maxThreads, "no growing thread count");
            assertTrue(last.dbConnections() <= maxConnections, "no growing database connection count");
        } finally {
            running.set(false);
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            replica.close();
        }
    }

    /** 300 calls per second, round-robin over the agents, each call a real change (Busy and Busy – DND in turn). */
    private void drive(int port, long[] agentIds) {
        String token = Tokens.supervisor();
        long interval = 1_000_000_000L / RATE;
        long next = System.nanoTime();
        for (long n = 0; running.get(); n++) {
            int i = (int) (n % AGENTS);
            int presence = (n / AGENTS) % 2 == 0 ? 2 : 3;
            String body = new JsonObject().put("query", SET_PRESENCE)
                    .put("variables", new JsonObject().put("a", Long.toString(agentIds[i])).put("p", Integer.toString(presence))).encode();
            vertx.runOnContext(v -> http.request(new RequestOptions().setMethod(HttpMethod.POST).setPort(port).setHost("localhost")
                    .setURI("/graphql").putHeader("Content-Type", "application/json").putHeader("Authorization", "Bearer " + token))
                    .compose(req -> req.send(Buffer.buffer(body)).compose(resp -> resp.body()))
                    .onComplete(ar -> {
                        if (ar.succeeded() && !ar.result().toString().contains("\"errors\"")) {
                            acknowledged.incrementAndGet(i);
                        } else if (failedCalls.incrementAndGet() < 5) {
                            System.err.println("setPresence failed: " + (ar.succeeded() ? ar.result() : ar.cause()));
                        }
                    }));
            next += interval;
            LockSupport.parkNanos(next - System.nanoTime());
        }
    }

    /** A desktop that subscribes, stays 5–15 s, closes its socket, and comes back at once, until the soak ends. */
    private void comeAndGo(int port, int index, long agentId) {
        if (!running.get()) {
            return;
        }
        connect(port, index, agentId, ws -> vertx.setTimer(ThreadLocalRandom.current().nextLong(5_000, 15_000), t -> {
            visits.incrementAndGet();
            ws.close().onComplete(x -> comeAndGo(port, index, agentId));
        }));
    }

    /** Opens a desktop's socket and subscribes to its agent; {@code subscribed} (if any) runs once the service acknowledged. */
    private void connect(int port, int index, long agentId, java.util.function.Consumer<WebSocket> subscribed) {
        String token = tokens[index];
        vertx.runOnContext(v -> http.webSocket(new WebSocketConnectOptions().setHost("localhost").setPort(port).setURI("/graphql")
                .setSubProtocols(List.of("graphql-transport-ws"))).onFailure(f -> refused.incrementAndGet()).onSuccess(ws -> {
                    openSockets.incrementAndGet();
                    ws.closeHandler(x -> openSockets.decrementAndGet());
                    ws.textMessageHandler(text -> {
                        if (text.contains("\"type\":\"next\"")) {
                            if (index < STAYING) {
                                received.incrementAndGet(index);
                            }
                        } else if (text.contains("\"type\":\"connection_ack\"")) {
                            ws.writeTextMessage(new JsonObject().put("id", "1").put("type", "subscribe").put("payload",
                                    new JsonObject().put("query", SUBSCRIBE).put("variables",
                                            new JsonObject().put("a", List.of(Long.toString(agentId))))).encode());
                            if (subscribed != null) {
                                subscribed.accept(ws);
                            }
                        } else if (text.contains("\"type\":\"ping\"")) {
                            ws.writeTextMessage("{\"type\":\"pong\"}");
                        } else if (text.contains("\"type\":\"error\"")) {
                            refused.incrementAndGet();
                            System.err.println("subscription refused: " + text);
                        }
                    });
                    ws.writeTextMessage(new JsonObject().put("type", "connection_init")
                            .put("payload", new JsonObject().put("Authorization", "Bearer " + token)).encode());
                }));
    }

    private void awaitOpen(int sockets) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (openSockets.get() < sockets && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        if (openSockets.get() < sockets) {
            throw new IllegalStateException(openSockets.get() + " of " + sockets + " desktops connected (" + refused.get() + " refused)");
        }
        Thread.sleep(2000); // the subscriptions behind the sockets
    }

    private Sample sample(Replica replica, Connection c, int tenths) throws Exception {
        jcmd(replica, "GC.run");
        Matcher used = Pattern.compile("total \\d+K, used (\\d+)K").matcher(jcmd(replica, "GC.heap_info"));
        long heap = used.find() ? Long.parseLong(used.group(1)) : -1;
        long connections = single(c, "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + DATABASE + "' AND pid <> pg_backend_pid()");
        return new Sample(tenths, heap, status(replica, "Threads:"), connections, status(replica, "VmRSS:"), openSockets.get());
    }

    private static long status(Replica replica, String field) throws Exception {
        return Files.readAllLines(Path.of("/proc", Long.toString(replica.pid()), "status")).stream()
                .filter(line -> line.startsWith(field)).mapToLong(line -> Long.parseLong(line.replaceAll("\\D", ""))).findFirst()
                .orElse(-1);
    }

    private static String jcmd(Replica replica, String command) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(replica.pid()), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    private static long single(Connection c, String sql) throws Exception {
        var r = c.createStatement().executeQuery(sql);
        r.next();
        return r.getLong(1);
    }
}
