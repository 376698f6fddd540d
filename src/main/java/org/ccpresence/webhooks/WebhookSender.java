package org.ccpresence.webhooks;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

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
            @ConfigProperty(name = "presence.webhooks.batch-wait", defaultValue = "200ms") Duration batchWait) {
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
        }).onFailure().invoke(e -> LOG.warnf("Claiming webhooks failed; the next run retries: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
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
                release(List.of(id)).subscribe().with(v -> { }, e -> { });
            } else if (next == NOW || askedAgain.remove(id)) {
                send(id);
            }
        }, failure -> {
            inFlight.remove(id);
            LOG.warnf("Delivering webhook %d failed; the next run retries: %s", id, failure.getMessage());
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
                    if (webhook.getString("pending_id") != null) {
                        return attempt(id, url, secret, webhook.getString("pending_id"), webhook.getString("pending_body"));
                    }
                    return prepare(id, webhook.getLong("position"), webhook.getLong("workstream_id"), url, secret);
                });
    }

    /**
     * Forms the next batch from the log, stores it as the one in flight and sends it; or moves the position past
     * changes the filter leaves out.
     */
    private Uni<Long> prepare(long id, long position, Long workstreamId, String url, String secret) {
        return slices.after(position, workstreamId).chain(slice -> {
            if (slice.size() < LogSlices.BATCH) {
                lastPartialBatchAt.put(id, System.nanoTime());
            } else {
                lastPartialBatchAt.remove(id);
            }
            if (slice.size() == 0) {
                oldestWaiting.remove(id);
                if (workstreamId == null) {
                    return Uni.createFrom().item(DONE);
                }
                return pool.preparedQuery("""
                        UPDATE webhook SET position = $3
                        WHERE id = $1 AND lease_holder = $2 AND pending_id IS NULL AND position < $3""")
                        .execute(Tuple.of(id, holder, slice.upTo())).replaceWith(DONE);
            }
            oldestWaiting.putIfAbsent(id, slice.firstAt());
            batchSizes.record(slice.size());
            String batchId = "msg_" + UUID.randomUUID().toString().replace("-", "");
            String body = "{\"webhookId\":" + Json.encode(Long.toString(id)) + ",\"events\":" + slice.events() + "}";
            return pool.preparedQuery("""
                    UPDATE webhook SET pending_id = $3, pending_body = $4, pending_through = $5
                    WHERE id = $1 AND lease_holder = $2 AND pending_id IS NULL AND position = $6""")
                    .execute(Tuple.of(id, holder, batchId, body, slice.through(), position))
                    .chain(stored -> stored.rowCount() == 1 ? attempt(id, url, secret, batchId, body)
                            : Uni.createFrom().item(NOW)); // replayed meanwhile: start again from the row
        });
    }

    private Uni<Long> attempt(long id, String url, String secret, String batchId, String body) {
        return poster.post(url, secret, batchId, body).chain(error -> error == null ? acknowledged(id, batchId)
                : failedAttempt(id, batchId, error));
    }

    /**
     * Moves the position past the batch. The commit does not wait for the disk: a database crash may lose the last
     * acknowledgements, and then their batches (stored durably before they were sent) go out again, identical — a
     * duplicate after a failure, as after any failed attempt — for one disk flush less per batch.
     */
    private Uni<Long> acknowledged(long id, String batchId) {
        delivered.increment();
        return pool.withTransaction(tx -> tx.query("SET LOCAL synchronous_commit = off").execute().chain(() -> tx.preparedQuery("""
                UPDATE webhook SET position = pending_through, delivered_through = pending_through, pending_id = NULL,
                       pending_body = NULL, pending_through = NULL, failures = 0, last_error = NULL,
                       last_attempt_at = now(), failing_since = NULL, next_attempt_at = NULL
                WHERE id = $1 AND pending_id = $2
                """).execute(Tuple.of(id, batchId)))).map(rows -> {
                    oldestWaiting.remove(id);
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
