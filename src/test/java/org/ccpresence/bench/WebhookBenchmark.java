package org.ccpresence.bench;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.ccpresence.support.Tokens;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

/**
 * Scenario w: webhooks under setPresence load, with receivers in the benchmark's own JVM. Lag is a change's arrival
 * at its receiver minus its {@code at} (the same clock: one box). Measures one receiver's lag at the target rate,
 * the cost of 20 webhooks to throughput, flat-out and at the target rate (each against a run without webhooks just
 * before), and the lag of 19 healthy receivers while the 20th hangs every request.
 */
final class WebhookBenchmark {

    static final String CREATE = "mutation($i: WebhookInput!) { createWebhook(input: $i) { id } }";
    static final String UPDATE = "mutation($id: ID!, $i: WebhookInput!) { updateWebhook(id: $id, input: $i) { id } }";
    static final String HEALTH = "{ webhooks { id deliveredThrough failures lastError } }";
    static final String REPLAY = "mutation($id: ID!, $after: ID!) { replayWebhook(id: $id, afterSequence: $after) { id } }";
    static final String DELETE = "mutation($id: ID!) { deleteWebhook(id: $id) }";

    /** One receiver: its lag histogram, and whether every change came once and in order. */
    static final class Receiver {
        final Recorder lag = new Recorder(3);
        final AtomicLong events = new AtomicLong();
        final AtomicLong outOfOrder = new AtomicLong();
        volatile long lastSequence;
        volatile boolean dead;
        String webhookId;

        /**
         * Reads a body without parsing it (the receivers share the box with the service): the sequences in order,
         * and the first change's at, whose lag bounds every change of the batch from above.
         */
        void accept(String body) {
            Instant now = Instant.now();
            int count = 0;
            for (int i = body.indexOf(SEQUENCE); i >= 0; i = body.indexOf(SEQUENCE, i + 1)) {
                int start = i + SEQUENCE.length();
                long sequence = Long.parseLong(body, start, body.indexOf('"', start), 10);
                if (sequence <= lastSequence) {
                    outOfOrder.incrementAndGet();
                }
                lastSequence = sequence;
                count++;
            }
            int at = body.indexOf(AT) + AT.length();
            long micros = ChronoUnit.MICROS.between(OffsetDateTime.parse(body.substring(at, body.indexOf('"', at))).toInstant(), now);
            lag.recordValueWithCount(Math.max(1, micros), count);
            events.addAndGet(count);
        }
    }

    static final String SEQUENCE = "\"sequence\":\"";
    static final String AT = "\"at\":\"";

    private final Benchmark bench;
    private final Vertx vertx;
    private final GraphQLClient admin;
    private final List<Receiver> receivers = new ArrayList<>();
    private HttpServer server;

    WebhookBenchmark(Benchmark bench, Vertx vertx) {
        this.bench = bench;
        this.vertx = vertx;
        this.admin = new GraphQLClient(bench.baseUrl(), Tokens.admin());
    }

    List<String> run(int rate, Duration duration, int concurrency, Duration flatOut) throws Exception {
        List<String> report = new ArrayList<>();
        startServer();
        try {
            register();
            report.add(lagLine(bench.drive("w: 1 webhook, " + rate + "/s", rate, concurrency, duration), receivers));
            for (int i = 1; i < 20; i++) {
                register();
            }
            // the box is noisy: with and without the 20 webhooks, alternated, twice — flat-out, then at the target
            // rate (the issue's own measure)
            report.addAll(againstNone("flat-out", 0, concurrency, flatOut));
            report.addAll(againstNone(rate + "/s", rate, concurrency, duration));

            Receiver hanging = receivers.get(0);
            hanging.dead = true;
            Benchmark.Result oneDead = bench.drive("w: 20 webhooks, 1 hanging, " + rate + "/s", rate, concurrency, duration);
            report.add(lagLine(oneDead, receivers.subList(1, receivers.size())) + "  hanging receiver: " + health(hanging.webhookId));
            for (Receiver r : receivers) {
                admin.data(DELETE, new JsonObject().put("id", r.webhookId));
            }
        } finally {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        return report;
    }

    /** Twice: a run with the webhooks disabled, then one with the 20, and the second's throughput against the first's. */
    private List<String> againstNone(String load, int rate, int concurrency, Duration duration) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int round = 1; round <= 2; round++) {
            pauseAll(true);
            Benchmark.Result none = bench.drive("w: " + load + ", webhooks disabled", rate, concurrency, duration);
            pauseAll(false);
            Benchmark.Result twenty = bench.drive("w: " + load + ", 20 webhooks", rate, concurrency, duration);
            lines.add(lagLine(twenty, receivers) + String.format("  throughput %.2f× the run before it, webhooks disabled (%.0f/s)",
                    twenty.perSecond() / none.perSecond(), none.perSecond()));
        }
        return lines;
    }

    private void startServer() throws Exception {
        server = vertx.createHttpServer().requestHandler(request -> {
            Receiver receiver = receivers.get(Integer.parseInt(request.path().substring("/hook/".length())));
            if (receiver.dead) {
                return; // never answers: the service gives up after its timeout and retries later
            }
            request.body().onSuccess(body -> {
                receiver.accept(body.toString());
                request.response().setStatusCode(204).end();
            });
        });
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Receiver register() throws Exception {
        Receiver receiver = new Receiver();
        int index;
        synchronized (receivers) {
            index = receivers.size();
            receivers.add(receiver);
        }
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        receiver.webhookId = admin.data(CREATE, new JsonObject().put("i", new JsonObject()
                .put("url", "http://127.0.0.1:" + server.actualPort() + "/hook/" + index)
                .put("secret", "whsec_" + Base64.getEncoder().encodeToString(key))))
                .getJsonObject("createWebhook").getString("id");
        return receiver;
    }

    /** Disables every webhook, or enables each from the newest change on (replay), so that no backlog is sent. */
    private void pauseAll(boolean pause) throws Exception {
        long last = bench.lastSequence();
        for (Receiver r : receivers) {
            if (pause) {
                admin.data(UPDATE, new JsonObject().put("id", r.webhookId).put("i", new JsonObject()
                        .put("url", "http://127.0.0.1:" + server.actualPort() + "/hook/" + receivers.indexOf(r)).put("enabled", false)));
            } else {
                admin.data(REPLAY, new JsonObject().put("id", r.webhookId).put("after", Long.toString(last)));
                r.lastSequence = last;
            }
        }
    }

    private String health(String webhookId) throws Exception {
        for (Object w : admin.data(HEALTH, new JsonObject()).getJsonArray("webhooks")) {
            if (((JsonObject) w).getString("id").equals(webhookId)) {
                return ((JsonObject) w).encode();
            }
        }
        return "gone";
    }

    /**
     * After a run: waits for the receivers to hold every committed change, then their lag percentiles over the run
     * (and resets them for the next).
     */
    private String lagLine(Benchmark.Result result, List<Receiver> watched) throws Exception {
        awaitCaughtUp(watched);
        Histogram lag = new Histogram(3);
        long events = 0;
        long outOfOrder = 0;
        for (Receiver r : receivers) {
            Histogram interval = r.lag.getIntervalHistogram();
            long received = r.events.getAndSet(0);
            if (watched.contains(r)) {
                lag.add(interval);
                events += received;
                outOfOrder += r.outOfOrder.get();
            }
        }
        if (outOfOrder > 0) {
            throw new IllegalStateException(result.name() + ": " + outOfOrder + " changes out of order or repeated");
        }
        return String.format("%-40s committed %7d  %6.0f/s  mutation p99 %6.1f ms  | %d receivers got %d changes (%.2f per change per receiver)  "
                + "lag p50/p99/p99.9/max %6.1f/%6.1f/%6.1f/%6.1f ms",
                result.name(), result.committed(), result.perSecond(), result.mutation().getValueAtPercentile(99) / 1000.0,
                watched.size(), events, events / (double) Math.max(1, result.committed() * watched.size()),
                lag.getValueAtPercentile(50) / 1000.0, lag.getValueAtPercentile(99) / 1000.0, lag.getValueAtPercentile(99.9) / 1000.0,
                lag.getMaxValue() / 1000.0);
    }

    private void awaitCaughtUp(List<Receiver> watched) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long last = bench.lastSequence();
        while (System.nanoTime() < deadline && watched.stream().anyMatch(r -> r.lastSequence < last)) {
            Thread.sleep(100);
        }
    }
}
