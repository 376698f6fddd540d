package org.ccpresence.webhooks;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.error.Stopping;
import org.ccpresence.stream.ChangeFeed;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Delivers webhooks from the change log, on every replica, one sender per webhook: a replica sends only the webhooks
 * whose lease it holds (taken for a fair share of the enabled webhooks, renewed before every attempt and outlasting
 * it, so that a lease never runs out while its batch is on the wire). Nothing is queued in memory: each webhook's
 * position, the batch in flight and its failures are rows, so a restart or another replica carries on where this one
 * stopped. Each webhook runs on its own: a slow receiver holds back only its own changes.
 * <p>
 * A webhook that has caught up (its last batch was not full) waits {@code presence.webhooks.batch-wait} before it
 * reads the log again: under load the changes of that time go out together, instead of a request (and two commits)
 * per change, and a lone change after a quiet moment still goes out at once. A full batch is followed at once.
 * Webhooks at the same position read and render the log's changes once ({@link LogSlices}); each stores and signs its
 * own batch.
 */
@ApplicationScoped
public class WebhookSender {

    private static final Logger LOG = Logger.getLogger(WebhookSender.class);

    private final UUID holder = UUID.randomUUID();
    private final Set<Long> held = ConcurrentHashMap.newKeySet();
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final Set<Long> askedAgain = ConcurrentHashMap.newKeySet();
    /** When the oldest change not yet acknowledged was made, per webhook held here (absent: none waiting). */
    private final Map<Long, OffsetDateTime> oldestWaiting = new ConcurrentHashMap<>();
    private final Map<Long, Gauge> lagGauges = new ConcurrentHashMap<>();
    /** When each webhook last formed a batch that was not full, i.e. had caught up (System.nanoTime). */
    private final Map<Long, Long> lastPartialBatchAt = new ConcurrentHashMap<>();
    /**
     * Where each webhook's next batch starts, as this replica last left it: the next batch is formed from there
     * without reading the webhook's row first, and storing it checks that nothing changed meanwhile.
     */
    private final Map<Long, Position> nextFrom = new ConcurrentHashMap<>();

    /**
     * A webhook's position as this replica knows it. {@code delivered}: the id of a full batch its receiver has
     * answered 2xx but the row does not say so yet — the next batch's store acknowledges it in the same statement
     * (under load every batch is full: one commit per batch instead of two).
     */
    private record Position(long position, Long workstreamId, String delivered) {
    }

    private final Pool pool;
    private final LogSlices slices;
    private final WebhookPoster poster;
    private final MeterRegistry metrics;
    private final double leaseSeconds;
    private final double leaseLeftToSendSeconds;
    private final long batchWaitNanos;
    private final Vertx vertx;
    private final double disableAfterSeconds;
    private final Counter delivered;
    private final Counter failed;
    private final DistributionSummary batchSizes;

    WebhookSender(Pool pool, LogSlices slices, ChangeFeed feed, WebhookPoster poster, MeterRegistry metrics, Vertx vertx,
            @ConfigProperty(name = "presence.webhooks.timeout", defaultValue = "10s") Duration timeout,
            @ConfigProperty(name = "presence.webhooks.disable-after", defaultValue = "24h") Duration disableAfter,
            @ConfigProperty(name = "presence.webhooks.batch-wait", defaultValue = "100ms") Duration batchWait) {
        this.pool = pool;
        this.vertx = vertx;
        this.batchWaitNanos = batchWait.toNanos();
        this.slices = slices;
        this.poster = poster;
        this.metrics = metrics;
        // an attempt (resolving, connecting, answering) is cut at the timeout; the lease, renewed by every claim (each
        // poll), outlasts it with room to spare, and no attempt starts on a lease with less than that room left
        this.leaseSeconds = 2 * timeout.toMillis() / 1000.0 + 5;
        this.leaseLeftToSendSeconds = timeout.toMillis() / 1000.0 + 5;
        this.disableAfterSeconds = disableAfter.toMillis() / 1000.0;
        this.delivered = Counter.builder("presence.webhook.deliveries").tag("outcome", "DELIVERED")
                .description("Webhook batches posted by this replica, by outcome").register(metrics);
        this.failed = Counter.builder("presence.webhook.deliveries").tag("outcome", "FAILED")
                .description("Webhook batches posted by this replica, by outcome").register(metrics);
        this.batchSizes = DistributionSummary.builder("presence.webhook.batch.size")
                .description("Changes per webhook batch posted").register(metrics);
        feed.afterNewChanges(this::sendAll);
    }

    /** Takes this replica's share of the webhooks, gives back what is over it, and sends what is due. */
    @Scheduled(every = "${presence.webhooks.poll-every:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> claimAndSend() {
        return pool.preparedQuery("""
                WITH share AS (
                    SELECT ceil(count(*) / greatest(1, (SELECT count(*) FROM replica))::numeric) AS n
                    FROM webhook WHERE enabled
                )
                UPDATE webhook SET lease_holder = $1, lease_until = now() + make_interval(secs => $2)
                WHERE id IN (
                    SELECT id FROM webhook
                    WHERE enabled AND (lease_holder = $1 OR lease_holder IS NULL OR lease_until < now())
                    ORDER BY lease_holder IS NOT DISTINCT FROM $1 DESC, id
                    LIMIT (SELECT n FROM share)
                    FOR UPDATE SKIP LOCKED)
                RETURNING id""").execute(Tuple.of(holder, leaseSeconds)).chain(rows -> {
            Set<Long> claimed = ConcurrentHashMap.newKeySet();
            rows.forEach(row -> claimed.add(row.getLong("id")));
            List<Long> over = held.stream().filter(id -> !claimed.contains(id)).toList();
            claimed.forEach(this::hold);
            over.forEach(this::drop);
            sendAll();
            List<Long> idle = over.stream().filter(id -> !inFlight.contains(id)).toList();
            return idle.isEmpty() ? Uni.createFrom().voidItem() : release(idle);
        }).onFailure().invoke(e -> LOG.logf(Stopping.underway() ? Logger.Level.DEBUG : Logger.Level.WARN,
                "Claiming webhooks failed; the next run retries: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /**
     * After a webhook was created, enabled or replayed on this replica: claims and sends at once rather than at the
     * next poll (up to a second later). Claiming twice at once is harmless: the claim is this replica's share either way.
     */
    void claimSoon() {
        claimAndSend().subscribe().with(v -> { }, e -> { });
    }

    private void sendAll() {
        held.forEach(this::send);
    }

    /** Sends the webhook's next batch unless one is on the wire already (then once more after it). */
    private void send(long id) {
        if (!inFlight.add(id)) {
            askedAgain.add(id);
            return;
        }
        askedAgain.remove(id);
        deliverNext(id).subscribe().with(next -> {
            if (next > 0) { // caught up: the webhook stays busy while the next changes gather
                vertx.setTimer(Math.max(1, next / 1_000_000), timer -> {
                    inFlight.remove(id);
                    send(id);
                });
                return;
            }
            inFlight.remove(id);
            if (!held.contains(id)) {
                Position left = nextFrom.remove(id);
                (left == null || left.delivered() == null ? Uni.createFrom().item(DONE)
                        : acknowledged(id, left.workstreamId(), left.delivered()))
                        .chain(() -> release(List.of(id))).subscribe().with(v -> { }, e -> { });
            } else if (next == NOW || askedAgain.remove(id)) {
                send(id);
            }
        }, failure -> {
            inFlight.remove(id);
            LOG.logf(Stopping.underway() ? Logger.Level.DEBUG : Logger.Level.WARN, "Delivering webhook %d failed; the next run retries: %s",
                    id, failure.getMessage());
        });
    }

    /** What {@link #deliverNext} returns besides a wait (in nanoseconds) before the next step. */
    private static final long NOW = 0;
    private static final long DONE = -1;

    /**
     * One step of a webhook's delivery: {@link #NOW} when the next step can follow at once, {@link #DONE} when there
     * is nothing to do until the next change or poll, else how long to wait before the next step.
     */
    private Uni<Long> deliverNext(long id) {
        Long partialAt = lastPartialBatchAt.get(id);
        long gathering = partialAt == null ? 0 : batchWaitNanos - (System.nanoTime() - partialAt);
        if (gathering > 0) { // caught up a moment ago: let the next changes gather before reading the log again
            return Uni.createFrom().item(gathering);
        }
        Position known = nextFrom.remove(id);
        if (known != null) {
            return prepare(id, known);
        }
        return pool.preparedQuery("""
                SELECT id, url, secret, workstream_id, position, pending_id, pending_body,
                       coalesce(next_attempt_at <= now(), true) AS due
                FROM webhook WHERE id = $1 AND lease_holder = $2 AND enabled AND lease_until > now() + make_interval(secs => $3)""")
                .execute(Tuple.of(id, holder, leaseLeftToSendSeconds)).chain(rows -> {
                    if (rows.size() == 0) {
                        drop(id);
                        return Uni.createFrom().item(DONE);
                    }
                    Row webhook = rows.iterator().next();
                    if (!webhook.getBoolean("due")) {
                        return Uni.createFrom().item(DONE);
                    }
                    String url = webhook.getString("url");
                    String secret = webhook.getString("secret");
                    Long workstreamId = webhook.getLong("workstream_id");
                    if (webhook.getString("pending_id") != null) {
                        return attempt(id, url, secret, workstreamId, webhook.getString("pending_id"),
                                webhook.getString("pending_body"), null);
                    }
                    return prepare(id, new Position(webhook.getLong("position"), workstreamId, null));
                });
    }

    /**
     * Forms the next batch from the log, stores it as the one in flight (acknowledging the batch delivered before
     * it, if any) and sends it to the URL and with the secret the webhook has as it is stored; or moves the position
     * past changes the filter leaves out. Storing checks the lease, the position and the filter, so a batch formed
     * from a position known in memory is stored only if the webhook is still as this replica left it.
     */
    private Uni<Long> prepare(long id, Position from) {
        Long workstreamId = from.workstreamId();
        return slices.after(from.position(), workstreamId).chain(slice -> {
            boolean full = slice.size() == LogSlices.BATCH;
            if (full) {
                lastPartialBatchAt.remove(id);
            } else {
                lastPartialBatchAt.put(id, System.nanoTime());
            }
            if (slice.size() == 0) {
                if (from.delivered() != null) {
                    return acknowledged(id, workstreamId, from.delivered());
                }
                oldestWaiting.remove(id);
                if (workstreamId == null) {
                    nextFrom.put(id, from); // still there: the next change goes from here
                    return Uni.createFrom().item(DONE);
                }
                return pool.preparedQuery("""
                        UPDATE webhook SET position = $3
                        WHERE id = $1 AND lease_holder = $2 AND pending_id IS NULL AND position < $3""")
                        .execute(Tuple.of(id, holder, slice.upTo())).replaceWith(DONE);
            }
            batchSizes.record(slice.size());
            String batchId = "msg_" + UUID.randomUUID().toString().replace("-", "");
            String body = "{\"webhookId\":" + Json.encode(Long.toString(id)) + ",\"events\":" + slice.events() + "}";
            Position after = full ? new Position(slice.through(), workstreamId, batchId) : null;
            return store(id, from, batchId, body, slice.through()).chain(stored -> {
                if (stored.rowCount() == 1) {
                    oldestWaiting.put(id, slice.firstAt());
                    Row webhook = stored.iterator().next();
                    return attempt(id, webhook.getString("url"), webhook.getString("secret"), workstreamId, batchId, body, after);
                }
                // replayed, edited, disabled or no longer ours: start again from the row, the batch before acknowledged
                return from.delivered() == null ? Uni.createFrom().item(NOW)
                        : acknowledged(id, workstreamId, from.delivered()).map(next -> {
                            nextFrom.remove(id);
                            return NOW;
                        });
            });
        });
    }

    /** Stores the batch as the one in flight, in a durable commit: a resend is this very batch. */
    private Uni<RowSet<Row>> store(long id, Position from, String batchId, String body, long through) {
        String stillOurs = """
                AND workstream_id IS NOT DISTINCT FROM $6 AND enabled AND coalesce(next_attempt_at <= now(), true)
                AND lease_until > now() + make_interval(secs => $7)
                RETURNING url, secret""";
        if (from.delivered() == null) {
            return pool.preparedQuery("""
                    UPDATE webhook SET pending_id = $3, pending_body = $4, pending_through = $5
                    WHERE id = $1 AND lease_holder = $2 AND pending_id IS NULL AND position = $8
                    """ + stillOurs).execute(Tuple.from(new Object[] { id, holder, batchId, body, through,
                            from.workstreamId(), leaseLeftToSendSeconds, from.position() }));
        }
        return pool.preparedQuery("""
                UPDATE webhook SET position = pending_through, delivered_through = pending_through, failures = 0,
                       last_error = NULL, last_attempt_at = now(), failing_since = NULL, next_attempt_at = NULL,
                       pending_id = $3, pending_body = $4, pending_through = $5
                WHERE id = $1 AND lease_holder = $2 AND pending_id = $8
                """ + stillOurs).execute(Tuple.from(new Object[] { id, holder, batchId, body, through,
                        from.workstreamId(), leaseLeftToSendSeconds, from.delivered() }));
    }

    /**
     * Posts the batch. On a 2xx, a full batch ({@code after} not null) is acknowledged with the next one's store,
     * any other at once.
     */
    private Uni<Long> attempt(long id, String url, String secret, Long workstreamId, String batchId, String body, Position after) {
        return poster.post(url, secret, batchId, body).chain(error -> {
            if (error != null) {
                return failedAttempt(id, batchId, error);
            }
            delivered.increment();
            if (after == null) {
                return acknowledged(id, workstreamId, batchId);
            }
            nextFrom.put(id, after);
            return Uni.createFrom().item(NOW);
        });
    }

    /**
     * Moves the position past the batch, in one statement. Its commit does not wait for the disk (set_config for
     * this statement's own transaction): a database crash may lose the last acknowledgements, and then their batches
     * (stored durably before they were sent) go out again, identical — a duplicate after a failure, as after any
     * failed attempt — for one disk flush less per batch.
     */
    private Uni<Long> acknowledged(long id, Long workstreamId, String batchId) {
        return pool.preparedQuery("""
                UPDATE webhook SET position = pending_through, delivered_through = pending_through, pending_id = NULL,
                       pending_body = NULL, pending_through = NULL, failures = 0, last_error = NULL,
                       last_attempt_at = now(), failing_since = NULL, next_attempt_at = NULL
                FROM (SELECT set_config('synchronous_commit', 'off', true)) unflushed
                WHERE id = $1 AND pending_id = $2
                RETURNING position""").execute(Tuple.of(id, batchId)).map(rows -> {
                    oldestWaiting.remove(id);
                    rows.forEach(row -> nextFrom.put(id, new Position(row.getLong("position"), workstreamId, null)));
                    return NOW;
                });
    }

    /** Retried after 1 s, doubling up to 5 min; disabled (position kept) once failing for longer than disable-after. */
    private Uni<Long> failedAttempt(long id, String batchId, String error) {
        failed.increment();
        return pool.preparedQuery("""
                UPDATE webhook SET failures = failures + 1, last_error = $3, last_attempt_at = now(),
                       failing_since = coalesce(failing_since, now()),
                       next_attempt_at = now() + least(interval '5 minutes', interval '1 second' * power(2, least(failures, 20))),
                       enabled = enabled AND coalesce(failing_since, now()) > now() - make_interval(secs => $4)
                WHERE id = $1 AND pending_id = $2
                RETURNING enabled""").execute(Tuple.of(id, batchId, error, disableAfterSeconds)).map(rows -> {
                    rows.forEach(row -> {
                        if (!row.getBoolean("enabled")) {
                            LOG.warnf("Webhook %d disabled: failing without a success for longer than the disable-after setting (last: %s)", id, error);
                        }
                    });
                    return DONE;
                });
    }

    private void hold(long id) {
        if (held.add(id)) {
            lagGauges.put(id, Gauge.builder("presence.webhook.lag", oldestWaiting, waiting -> {
                OffsetDateTime oldest = waiting.get(id);
                return oldest == null ? 0 : Duration.between(oldest, OffsetDateTime.now()).toMillis() / 1000.0;
            }).tag("webhook", Long.toString(id)).baseUnit("seconds")
                    .description("Age of the oldest change the webhook has not acknowledged (from the replica sending it)")
                    .register(metrics));
        }
    }

    private void drop(long id) {
        if (held.remove(id)) {
            lastPartialBatchAt.remove(id);
            // a batch delivered but not yet acknowledged is acknowledged when its step ends (see send)
            nextFrom.computeIfPresent(id, (webhook, known) -> known.delivered() == null ? null : known);
            oldestWaiting.remove(id);
            Gauge lag = lagGauges.remove(id);
            if (lag != null) {
                metrics.remove(lag);
            }
        }
    }

    private Uni<Void> release(List<Long> ids) {
        return pool.preparedQuery("UPDATE webhook SET lease_holder = NULL, lease_until = NULL WHERE id = ANY($1) AND lease_holder = $2")
                .execute(Tuple.of(ids.toArray(Long[]::new), holder)).replaceWithVoid();
    }
}
