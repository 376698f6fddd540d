package org.ccpresence.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.ccpresence.support.Replica;
import org.ccpresence.support.TestDatabase;
import org.ccpresence.support.Tokens;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

/**
 * The presence service under load: the packaged application (prod profile) on its own fresh database, driven over
 * GraphQL-over-HTTP and watched over WebSocket subscriptions, beside a baseline of what PostgreSQL alone does with the
 * same durable write. Scenarios (-Dbench.scenario): a (rate), b (flat-out), c (expiry sweep), or several letters
 * ("ab"), all, smoke; t: time-limited presences ending together; r: the reports on a seeded day.
 */
public final class Benchmark {

    static final String DATABASE = "presence_bench";
    static final String SET_PRESENCE = "mutation($a: ID, $p: ID!) { setPresence(agentId: $a, presenceId: $p) { id } }";
    static final String SUBSCRIBE = "subscription($a: [ID!]) { presenceChanged(agentIds: $a) { sequence agentId current { id } at } }";
    /** One supervisor event in this many is timed (from the change's own "at" to its arrival). */
    static final int SUPERVISOR_SAMPLE = 16;
    static final Pattern AT = Pattern.compile("\"at\":\"([^\"]+)\"");

    record Settings(int agents, int agentSubscriptions, int supervisors, int rate, Duration duration, int concurrency,
            Duration flatOut, Duration warmup, int sweepAgents, int sweepOffers, int sweepBatch) {
        static Settings of(String scenario) {
            boolean smoke = scenario.equals("smoke");
            return new Settings(
                    Integer.getInteger("bench.agents", smoke ? 200 : 10_000),
                    Integer.getInteger("bench.subscriptions", smoke ? 200 : 10_000),
                    Integer.getInteger("bench.supervisors", smoke ? 2 : 10),
                    Integer.getInteger("bench.rate", smoke ? 200 : 1_000),
                    Duration.ofSeconds(Integer.getInteger("bench.seconds", smoke ? 3 : 60)),
                    Integer.getInteger("bench.concurrency", smoke ? 16 : 64),
                    Duration.ofSeconds(Integer.getInteger("bench.flatout.seconds", smoke ? 2 : 20)),
                    Duration.ofSeconds(Integer.getInteger("bench.warmup.seconds", smoke ? 0 : 20)),
                    Integer.getInteger("bench.sweep.agents", smoke ? 2_000 : 100_000),
                    Integer.getInteger("bench.sweep.offers", smoke ? 200 : 10_000),
                    // the smoke run's batches are small so that both sweep workers race over the same agents
                    Integer.getInteger("bench.sweep.batch", smoke ? 20 : 2_500));
        }
    }

    /** What a run measured; {@link #lost()} must be 0. */
    public record Result(String name, long committed, double perSecond, Histogram mutation, Histogram delivery,
            Histogram supervisorDelivery, long expected, long received, long supervisorExpected, long supervisorReceived,
            long rssKb, double cpuCores) {
        long lost() {
            return (expected - received) + (supervisorExpected - supervisorReceived);
        }

        String line() {
            return String.format("%-26s committed %7d  %8.0f/s  mutation p50/p99/p99.9 %6.1f/%6.1f/%6.1f ms  "
                    + "delivery p50/p99/p99.9 %6.1f/%6.1f/%6.1f ms  supervisor delivery (from commit) p50/p99 %6.1f/%6.1f ms  "
                    + "events %d/%d  supervisor events %d/%d  RSS %d MiB  CPU %.2f cores",
                    name, committed, perSecond, ms(mutation, 50), ms(mutation, 99), ms(mutation, 99.9),
                    ms(delivery, 50), ms(delivery, 99), ms(delivery, 99.9), ms(supervisorDelivery, 50),
                    ms(supervisorDelivery, 99), received, expected,
                    supervisorReceived, supervisorExpected, rssKb / 1024, cpuCores);
        }
    }

    private final Settings settings;
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    private Replica service;
    private HttpClient http;
    private final List<WebSocket> sockets = new ArrayList<>();
    private volatile boolean closingSockets;
    private long[] agentIds;
    private String[] userIds;
    /** Per agent index: when each change still awaiting its event was sent (nanoTime). */
    private ConcurrentLinkedQueue<Long>[] sent;
    private final Recorder deliveryRecorder = new Recorder(3);
    private final Recorder supervisorRecorder = new Recorder(3);
    private final AtomicLong agentEvents = new AtomicLong();
    private final AtomicLong supervisorEvents = new AtomicLong();
    private int[] nextPresence;
    /** What subscribe() opened: the first watchedAgents agents' desktops, and the supervisors. */
    private int watchedAgents;
    private int watchingSupervisors;

    Benchmark(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        String scenario = System.getProperty("bench.scenario", "all");
        List<String> report = run(scenario);
        report.forEach(System.out::println);
        System.exit(0);
    }

    /** Runs the scenario(s) and returns the report lines; throws if any event was lost. */
    public static List<String> run(String scenario) throws Exception {
        Settings s = Settings.of(scenario);
        Benchmark bench = new Benchmark(s);
        List<String> report = new ArrayList<>();
        report.add(String.format("machine: %d cores, %s; service and PostgreSQL on the same box", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch")));
        report.add("settings: " + s);
        try {
            bench.start();
            boolean all = scenario.equals("all") || scenario.equals("smoke");
            // otherwise the scenarios' letters, e.g. "ab"
            // first: it counts on a database that holds only its own agents
            if (all || scenario.contains("r")) {
                report.addAll(new ReportsBenchmark(bench, Integer.getInteger("bench.report.agents", scenario.equals("smoke") ? 200 : 10_000)).run());
            }
            boolean streams = all || scenario.contains("a") || scenario.contains("b");
            if (streams || scenario.contains("w")) {
                bench.seedAgents(s.agents());
                double baseline = 0;
                if (streams) {
                    baseline = bench.baseline(s.concurrency(), s.flatOut());
                    report.add(String.format("baseline: PostgreSQL alone, same write (agent UPDATE + change-log trigger + NOTIFY), "
                            + "one transaction per change, %d JDBC connections: %.0f/s", s.concurrency(), baseline));
                    long heapBefore = bench.liveHeapKb();
                    bench.subscribe();
                    long heapAfter = bench.liveHeapKb();
                    int open = Math.min(s.agentSubscriptions(), s.agents()) + s.supervisors();
                    report.add(String.format("live heap after a full GC: %d MiB with no subscription, %d MiB with %d "
                            + "(%.1f KiB per subscription, its WebSocket included); service RSS %d MiB", heapBefore / 1024,
                            heapAfter / 1024, open, (heapAfter - heapBefore) / (double) Math.max(1, open),
                            rssKb(bench.service.pid()) / 1024));
                }
                if (s.warmup().toSeconds() > 0) {
                    // the JIT compiles the mutation path under load; measured scenarios start from a warm service
                    bench.drive("warm-up (not reported)", 0, s.concurrency(), s.warmup());
                }
                List<Result> results = new ArrayList<>();
                if (all || scenario.contains("a")) {
                    results.add(bench.drive("a: " + s.rate() + "/s for " + s.duration().toSeconds() + "s", s.rate(), s.concurrency(), s.duration()));
                }
                if (all || scenario.contains("b")) {
                    results.add(bench.drive("b: flat-out C=" + s.concurrency(), 0, s.concurrency(), s.flatOut()));
                }
                for (Result r : results) {
                    report.add(r.line() + String.format("  (%.2f× baseline)", r.perSecond() / baseline));
                }
                bench.closeSockets();
                if (all || scenario.contains("w")) {
                    // no subscription open: what the webhooks cost is not mixed with what the streams cost
                    report.addAll(new WebhookBenchmark(bench, bench.vertx).run(s.rate(), s.duration(), s.concurrency(), s.flatOut()));
                }
                for (Result r : results) {
                    if (r.lost() != 0) {
                        report.forEach(System.out::println);
                        throw new IllegalStateException(r.name() + ": " + r.lost() + " events lost");
                    }
                }
            }
            if (all || scenario.contains("c")) {
                report.add(bench.sweep(s.sweepAgents(), s.sweepOffers()));
            }
            if (all || scenario.contains("t")) {
                report.add(bench.timeLimits(Integer.getInteger("bench.breaks", scenario.equals("smoke") ? 500 : 10_000)));
            }
        } finally {
            bench.stop();
        }
        return report;
    }

    void start() throws Exception {
        Tokens.publicKeyLocation();
        TestDatabase.recreate(DATABASE);
        List<String> jvm = new ArrayList<>(List.of("-Xmx768m"));
        String extra = System.getProperty("bench.jvm");
        if (extra != null && !extra.isBlank()) {
            jvm.addAll(List.of(extra.split("[ |]")));   // "|" separates options where spaces cannot (-Dbench.options)
        }
        service = Replica.start("bench", DATABASE, jvm, Map.of(
                "QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE", "32",
                "PRESENCE_OFFERS_SWEEP_BATCH", Integer.toString(settings.sweepBatch()),
                "PRESENCE_WEBHOOKS_ALLOW_PRIVATE", "true", // the receivers of scenario w listen on 127.0.0.1
                "PRESENCE_WEBHOOKS_BATCH_WAIT", System.getProperty("bench.webhooks.batch-wait", "200ms"),
                "PRESENCE_OFFERS_SWEEP_WORKERS", System.getProperty("bench.sweep.workers", "2")));
        http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("localhost").setDefaultPort(service.port)
                .setKeepAlive(true).setMaxWebSockets(1_000_000), new PoolOptions().setHttp1MaxSize(settings.concurrency() + 8));
    }

    /**
     * Waits (at most two minutes) until the service has used less than a tenth of a core for three seconds in a row,
     * e.g. after data was seeded.
     */
    void awaitIdle() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        long before = cpu(service.pid())[0];
        int quiet = 0;
        while (quiet < 3 && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            long now = cpu(service.pid())[0];
            quiet = now - before < 10 ? quiet + 1 : 0; // clock ticks of 10 ms
            before = now;
        }
    }

    /** The newest change's sequence, straight from the database. */
    long lastSequence() throws Exception {
        try (Connection c = TestDatabase.connect(DATABASE)) {
            return count(c, "SELECT coalesce(max(sequence), 0) FROM presence_change");
        }
    }

    String baseUrl() {
        return "http://localhost:" + service.port;
    }

    void stop() throws Exception {
        closeSockets();
        if (service != null) {
            service.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @SuppressWarnings("unchecked")
    void seedAgents(int count) throws Exception {
        try (Connection c = TestDatabase.connect(DATABASE)) {
            c.createStatement().execute("INSERT INTO agent (user_id, name) SELECT 'bench-' || g, 'Bench ' || g FROM generate_series(1, " + count + ") g");
            c.createStatement().execute("UPDATE agent SET signed_in = true, presence_id = 1, presence_cause = 'SIGN_IN', presence_since = now()");
            var rows = c.createStatement().executeQuery("SELECT id, user_id FROM agent WHERE user_id LIKE 'bench-%' ORDER BY id");
            agentIds = new long[count];
            userIds = new String[count];
            for (int i = 0; rows.next(); i++) {
                agentIds[i] = rows.getLong(1);
                userIds[i] = rows.getString(2);
            }
        }
        sent = new ConcurrentLinkedQueue[count];
        nextPresence = new int[count];
        for (int i = 0; i < count; i++) {
            sent[i] = new ConcurrentLinkedQueue<>();
            nextPresence[i] = 2;
        }
    }

    /** One WebSocket per agent desktop (agent token, own changes), plus unfiltered supervisor subscriptions. */
    static void progress(String what) {
        System.err.printf("[bench %tT] %s%n", System.currentTimeMillis(), what);
    }

    void subscribe() throws Exception {
        progress("opening subscriptions");
        int agents = Math.min(settings.agentSubscriptions(), agentIds.length);
        Semaphore inFlight = new Semaphore(Integer.getInteger("bench.connect.parallel", 32));
        CountDownLatch ready = new CountDownLatch(agents + settings.supervisors());
        for (int i = 0; i < agents + settings.supervisors(); i++) {
            boolean supervisor = i >= agents;
            int index = i;
            String token = supervisor ? Tokens.supervisor() : Tokens.agent(userIds[i]);
            JsonObject variables = supervisor ? new JsonObject() : new JsonObject().put("a", List.of(Long.toString(agentIds[i])));
            inFlight.acquire();
            vertx.runOnContext(v -> http.webSocket(new WebSocketConnectOptions().setHost("localhost").setPort(service.port)
                    .setURI("/graphql").setSubProtocols(List.of("graphql-transport-ws")))
                    .onFailure(f -> {
                        System.err.println("connect failed: " + f);
                        inFlight.release();
                    })
                    .onSuccess(ws -> {
                        synchronized (sockets) {
                            sockets.add(ws);
                        }
                        ws.textMessageHandler(text -> {
                            if (Boolean.getBoolean("bench.trace")) {
                                progress(index + " <- " + text);
                            }
                            // events are most of the traffic: read without parsing, so the load generator (which
                            // shares the box) costs the service as little as possible
                            if (text.contains("\"type\":\"next\"")) {
                                onEvent(supervisor, index, text);
                                return;
                            }
                            JsonObject m = new JsonObject(text);
                            switch (m.getString("type")) {
                                case "connection_ack" -> ws.writeTextMessage(new JsonObject().put("id", "1").put("type", "subscribe")
                                        .put("payload", new JsonObject().put("query", SUBSCRIBE).put("variables", variables)).encode())
                                        .onComplete(x -> vertx.setTimer(50, t -> {
                                            inFlight.release();
                                            ready.countDown();
                                        }));
                                case "ping" -> ws.writeTextMessage(new JsonObject().put("type", "pong").encode());
                                case "error" -> System.err.println("subscription error: " + m);
                                default -> {
                                }
                            }
                        });
                        ws.closeHandler(x -> {
                            if (!closingSockets) {
                                System.err.println("socket closed by the service: " + ws.closeStatusCode() + " " + ws.closeReason());
                            }
                        });
                        ws.writeTextMessage(new JsonObject().put("type", "connection_init")
                                .put("payload", new JsonObject().put("Authorization", "Bearer " + token)).encode());
                    }));
        }
        if (!ready.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("subscriptions not ready: " + ready.getCount() + " missing");
        }
        watchedAgents = agents;
        watchingSupervisors = settings.supervisors();
        Thread.sleep(1000);
    }

    private void onEvent(boolean supervisor, int index, String message) {
        if (message.contains("\"errors\"")) {
            System.err.println("event with errors: " + message);
            return;
        }
        if (supervisor) {
            if (supervisorEvents.incrementAndGet() % SUPERVISOR_SAMPLE == 0) {
                Matcher at = AT.matcher(message);
                if (at.find()) {
                    long micros = ChronoUnit.MICROS.between(OffsetDateTime.parse(at.group(1)).toInstant(), Instant.now());
                    supervisorRecorder.recordValue(Math.max(1, micros));
                }
            }
            return;
        }
        agentEvents.incrementAndGet();
        Long at = sent[index].poll();
        if (at != null) {
            deliveryRecorder.recordValue(Math.max(1, (System.nanoTime() - at) / 1000));
        }
    }

    void closeSockets() {
        closingSockets = true;
        watchedAgents = 0;
        watchingSupervisors = 0;
        synchronized (sockets) {
            sockets.forEach(ws -> ws.close());
            sockets.clear();
        }
    }

    /**
     * Drives setPresence: at a target rate (requests spread evenly), or flat-out (rate 0) with {@code concurrency}
     * requests always in flight. Agents are taken round-robin, alternating Busy and Busy – DND, so every call is a
     * real change.
     */
    Result drive(String name, int rate, int concurrency, Duration duration) throws Exception {
        progress("driving " + name);
        Recorder mutationRecorder = new Recorder(3);
        deliveryRecorder.reset();
        supervisorRecorder.reset();
        long eventsBefore = agentEvents.get();
        long supervisorBefore = supervisorEvents.get();
        AtomicLong committed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong cursor = new AtomicLong();
        String token = Tokens.supervisor();
        long[] cpuBefore = cpu(service.pid());
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        Semaphore window = new Semaphore(concurrency);
        CountDownLatch drained = new CountDownLatch(1);
        AtomicLong outstanding = new AtomicLong();
        Runnable send = () -> {
            int i = (int) (cursor.getAndIncrement() % agentIds.length);
            int presence;
            synchronized (this) {
                presence = nextPresence[i];
                nextPresence[i] = presence == 2 ? 3 : 2;
            }
            long t0 = System.nanoTime();
            boolean watched = i < watchedAgents;
            if (watched) {
                sent[i].add(t0);
            }
            outstanding.incrementAndGet();
            String body = new JsonObject().put("query", SET_PRESENCE)
                    .put("variables", new JsonObject().put("a", Long.toString(agentIds[i])).put("p", Integer.toString(presence))).encode();
            http.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/graphql")
                    .putHeader("Content-Type", "application/json").putHeader("Authorization", "Bearer " + token))
                    .compose(req -> req.send(Buffer.buffer(body)).compose(resp -> resp.body()))
                    .onComplete(ar -> {
                        mutationRecorder.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
                        if (ar.succeeded() && !ar.result().toString().contains("\"errors\"")) {
                            committed.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                            if (watched) {
                                sent[i].remove(t0);
                            }
                            if (failed.get() < 5) {
                                System.err.println("setPresence failed: " + (ar.succeeded() ? ar.result() : ar.cause()));
                            }
                        }
                        window.release();
                        if (outstanding.decrementAndGet() == 0 && System.nanoTime() > end) {
                            drained.countDown();
                        }
                    });
        };
        if (rate > 0) {
            long intervalNanos = 1_000_000_000L / rate;
            long next = System.nanoTime();
            while (next < end) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait); // never spin: the load generator shares the 2 cores
                }
                if (window.tryAcquire()) {
                    vertx.runOnContext(v -> send.run());
                }
                next += intervalNanos;
            }
        } else {
            while (System.nanoTime() < end) {
                window.acquire();
                vertx.runOnContext(v -> send.run());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        progress("sent; waiting for " + outstanding.get() + " answers and the events");
        if (outstanding.get() > 0) {
            drained.await(30, TimeUnit.SECONDS);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long[] cpuAfter = cpu(service.pid());
        long rss = rssKb(service.pid());
        long expected = watchedChanges(committed.get());
        long supervisorExpected = committed.get() * watchingSupervisors;
        long deadline = System.nanoTime() + Duration.ofSeconds(Integer.getInteger("bench.drain.seconds", 60)).toNanos();
        while ((agentEvents.get() - eventsBefore < expected || supervisorEvents.get() - supervisorBefore < supervisorExpected)
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(500); // anything beyond the expected would be a duplicate
        double cpuCores = ((cpuAfter[0] - cpuBefore[0]) / 100.0) / elapsed;
        return new Result(name, committed.get(), committed.get() / seconds, mutationRecorder.getIntervalHistogram(),
                deliveryRecorder.getIntervalHistogram(), supervisorRecorder.getIntervalHistogram(), expected, agentEvents.get() - eventsBefore, supervisorExpected,
                supervisorEvents.get() - supervisorBefore, rss, cpuCores);
    }

    /** Committed changes of agents that have a desktop subscription (agents are driven round-robin). */
    private long watchedChanges(long committed) {
        return committed - unwatched(committed);
    }

    private long unwatched(long committed) {
        int watched = watchedAgents;
        if (watched == agentIds.length) {
            return 0;
        }
        long rounds = committed / agentIds.length;
        long rest = committed % agentIds.length;
        return rounds * (agentIds.length - watched) + Math.max(0, rest - watched);
    }

    /** PostgreSQL alone: the same agent UPDATE (with its change-log trigger and NOTIFY), one transaction each. */
    double baseline(int connections, Duration duration) throws Exception {
        progress("baseline");
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int w = 0; w < connections; w++) {
            int offset = w;
            workers.add(CompletableFuture.runAsync(() -> {
                try (Connection c = TestDatabase.connect(DATABASE);
                        PreparedStatement update = c.prepareStatement("""
                                UPDATE agent SET presence_id = CASE presence_id WHEN 2 THEN 3 ELSE 2 END,
                                                 presence_cause = 'SUPERVISOR', presence_since = now() WHERE id = ?""")) {
                    for (int i = offset; System.nanoTime() < end; i += connections) {
                        update.setLong(1, agentIds[i % agentIds.length]);
                        update.executeUpdate();
                        done.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, r -> new Thread(r).start()));
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get();
        double rate = done.get() / ((System.nanoTime() - start) / 1e9);
        // Back to Available, so that every setPresence the drives send (Busy / Busy – DND) is a real change.
        try (Connection c = TestDatabase.connect(DATABASE)) {
            c.createStatement().execute("UPDATE agent SET presence_id = 1, presence_cause = 'SUPERVISOR' WHERE presence_id <> 1");
        }
        return rate;
    }

    /** Scenario c: sweepOffers expired offers among sweepAgents agents; the service's own sweep does the work. */
    String sweep(int agents, int offers) throws Exception {
        progress("sweep scenario");
        long ws;
        try (Connection c = TestDatabase.connect(DATABASE)) {
            var r = c.createStatement().executeQuery("""
                    INSERT INTO workstream (name, type, allowed_presences, missed_notifications, offer_timeout_seconds)
                    VALUES ('Sweep', 'MESSAGING', ARRAY['AVAILABLE', 'BUSY', 'BUSY_DND'], true, 60) RETURNING id""");
            r.next();
            ws = r.getLong(1);
            long existing = count(c, "SELECT count(*) FROM agent");
            if (existing < agents) {
                c.createStatement().execute("INSERT INTO agent (user_id, name, signed_in, presence_id) SELECT 'sweep-' || g, 'Sweep ' || g, true, 1 "
                        + "FROM generate_series(1, " + (agents - existing) + ") g");
            }
            c.createStatement().execute("UPDATE agent SET signed_in = true, presence_id = 1 WHERE NOT signed_in OR presence_id <> 1");
            c.createStatement().execute("INSERT INTO agent_workstream (workstream_id, agent_id) SELECT " + ws + ", id FROM agent");
            c.createStatement().execute("ANALYZE");
            Files.writeString(service.log, "", java.nio.file.StandardOpenOption.APPEND);
            long logMark = Files.size(service.log);
            long t0 = System.nanoTime();
            // Offered as offerWork leaves them: the offered agents waited least, so routing looks at them last.
            c.createStatement().execute("WITH offered AS (INSERT INTO offer (workstream_id, agent_id, work_item, offered_at, expires_at) "
                    + "SELECT " + ws + ", id, 'sweep-item-' || id, now() - interval '2 minutes', now() - interval '1 second' "
                    + "FROM agent ORDER BY id LIMIT " + offers + " RETURNING agent_id, offered_at) "
                    + "UPDATE agent a SET last_offered_at = o.offered_at FROM offered o WHERE a.id = o.agent_id");
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (count(c, "SELECT count(*) FROM offer WHERE state = 'EXPIRED'") < offers && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            long observed = (System.nanoTime() - t0) / 1_000_000;
            long inactive = count(c, "SELECT count(*) FROM presence_change WHERE cause = 'MISSED_NOTIFICATION'");
            long reoffered = count(c, "SELECT count(*) FROM offer WHERE state = 'PENDING'");
            Thread.sleep(500);
            String log = Files.readString(service.log).substring((int) Math.min(logMark, Files.size(service.log)));
            Matcher m = Pattern.compile("Expired (\\d+) offers in (\\d+) ms").matcher(log);
            List<String> sweeps = new ArrayList<>();
            while (m.find()) {
                sweeps.add(m.group(1) + " in " + m.group(2) + " ms");
            }
            if (inactive != offers || reoffered != offers) {
                throw new IllegalStateException("the sweep must move each of the " + offers + " agents who missed an "
                        + "offer to Inactive and re-offer each item (enough agents are free): moved " + inactive
                        + ", re-offered " + reoffered);
            }
            return String.format("c: sweep of %d expired offers among %d agents: all EXPIRED %d ms after they became due "
                    + "(the sweep runs every second); service-side sweeps: %s; moved to Inactive: %d; re-offered: %d",
                    offers, agents, observed, sweeps, inactive, reoffered);
        }
    }

    /**
     * Scenario t: {@code breaks} agents whose breaks end in the same second, while setPresence runs at 200/s on other
     * agents: how long after the due moment the last one was moved, each once, and setPresence latency meanwhile.
     */
    String timeLimits(int breaks) throws Exception {
        progress("time-limit scenario");
        try (Connection c = TestDatabase.connect(DATABASE)) {
            long presence = count(c, "INSERT INTO presence (name, presence_text, base_status, time_limit_seconds, then_presence_id) "
                    + "VALUES ('Bench break', 'On a break', 'AWAY', 60, 1) RETURNING id");
            c.createStatement().execute("INSERT INTO agent (user_id, name, signed_in, signed_in_at, presence_id, presence_cause, "
                    + "presence_since) SELECT 'load-' || g, 'Load ' || g, true, now(), 2, 'SIGN_IN', now() FROM generate_series(1, 200) g");
            var due = c.createStatement().executeQuery("SELECT date_trunc('second', now()) + interval '16 seconds'");
            due.next();
            java.sql.Timestamp dueAt = due.getTimestamp(1);
            var seeded = c.prepareStatement("INSERT INTO agent (user_id, name, signed_in, signed_in_at, presence_id, presence_cause, "
                    + "presence_since) SELECT 'break-' || g, 'Break ' || g, true, now(), ?, 'AGENT', ?::timestamptz - interval '60 seconds' "
                    + "FROM generate_series(1, " + breaks + ") g");
            seeded.setLong(1, presence);
            seeded.setTimestamp(2, dueAt);
            seeded.execute();
            c.createStatement().execute("ANALYZE agent");
            List<Long> load = new ArrayList<>();
            var rows = c.createStatement().executeQuery("SELECT id FROM agent WHERE user_id LIKE 'load-%' ORDER BY id");
            while (rows.next()) {
                load.add(rows.getLong(1));
            }
            // the moment the breaks are due, on this machine's clock (the database's clock is the same machine's)
            long dueNanos = System.nanoTime() + (dueAt.getTime() - System.currentTimeMillis()) * 1_000_000;
            Histogram before = new Histogram(3);
            Histogram during = new Histogram(3);
            String token = Tokens.supervisor();
            java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
            long end = dueNanos + Duration.ofSeconds(4).toNanos();
            long next = System.nanoTime();
            for (int n = 0; System.nanoTime() < end; n++) {
                long agent = load.get(n % load.size());
                String body = new JsonObject().put("query", SET_PRESENCE).put("variables", new JsonObject()
                        .put("a", Long.toString(agent)).put("p", Integer.toString((n / load.size()) % 2 == 0 ? 3 : 2))).encode();
                long t0 = System.nanoTime();
                vertx.runOnContext(v -> http.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/graphql")
                        .putHeader("Content-Type", "application/json").putHeader("Authorization", "Bearer " + token))
                        .compose(req -> req.send(Buffer.buffer(body)).compose(resp -> resp.body())).onComplete(ar -> {
                            long micros = Math.max(1, (System.nanoTime() - t0) / 1000);
                            if (ar.failed() || ar.result().toString().contains("\"errors\"")) {
                                failed.incrementAndGet();
                            }
                            // the first seconds warm the service up; "before" is the five seconds before the breaks are due
                            Histogram h = t0 < dueNanos - 6_000_000_000L ? null : t0 < dueNanos - 1_000_000_000L ? before
                                    : t0 < dueNanos + 3_000_000_000L ? during : null;
                            if (h != null) {
                                synchronized (h) {
                                    h.recordValue(micros);
                                }
                            }
                        }));
                next += 5_000_000; // 200/s
                LockSupport.parkNanos(next - System.nanoTime());
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (count(c, "SELECT count(*) FROM presence_change WHERE cause = 'TIME_LIMIT'") < breaks && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(1500); // a second move would show now
            long moved = count(c, "SELECT count(*) FROM presence_change WHERE cause = 'TIME_LIMIT'");
            long twice = count(c, "SELECT count(*) FROM (SELECT agent_id FROM presence_change WHERE cause = 'TIME_LIMIT' "
                    + "GROUP BY agent_id HAVING count(*) > 1) t");
            var last = c.prepareStatement("SELECT extract(epoch FROM max(at) - ?) * 1000 FROM presence_change WHERE cause = 'TIME_LIMIT'");
            last.setTimestamp(1, dueAt);
            var lastRow = last.executeQuery();
            lastRow.next();
            double lastMs = lastRow.getDouble(1);
            if (moved != breaks || twice != 0) {
                throw new IllegalStateException("each of the " + breaks + " agents must be moved once: moved " + moved + ", twice " + twice);
            }
            return String.format("t: %d breaks ending in the same second: all moved (once each) within %.0f ms of the due "
                    + "moment (the sweep runs every second); setPresence at 200/s on other agents: before p50/p99 %.1f/%.1f ms "
                    + "(%d calls), during the sweep p50/p99/max %.1f/%.1f/%.1f ms (%d calls), %d failed", breaks, lastMs,
                    ms(before, 50), ms(before, 99), before.getTotalCount(), ms(during, 50), ms(during, 99),
                    during.getMaxValue() / 1000.0, during.getTotalCount(), failed.get());
        }
    }

    private static long count(Connection c, String sql) throws Exception {
        var r = c.createStatement().executeQuery(sql);
        r.next();
        return r.getLong(1);
    }

    private static long[] cpu(long pid) throws Exception {
        String[] f = Files.readString(Path.of("/proc", Long.toString(pid), "stat")).replaceAll(".*\\) ", "").split(" ");
        return new long[] { Long.parseLong(f[11]) + Long.parseLong(f[12]) };
    }

    /** The service's heap in use right after a full GC (jcmd GC.run, then GC.heap_info), in KiB. */
    long liveHeapKb() throws Exception {
        jcmd("GC.run");
        Matcher used = Pattern.compile("total \\d+K, used (\\d+)K").matcher(jcmd("GC.heap_info"));
        return used.find() ? Long.parseLong(used.group(1)) : -1;
    }

    private String jcmd(String command) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(service.pid()), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    private static long rssKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }
}
