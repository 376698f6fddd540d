package org.ccpresence.webhooks;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.presence.Presence;
import org.ccpresence.stream.ChangeLog;
import org.ccpresence.stream.PresenceChange;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The next changes for the webhooks at one position with one filter, read from the log and rendered once for all of
 * them. Webhooks that share a batch go on from the same position, so after one batch in common they keep sharing: 20
 * webhooks that keep up read the log and render its changes once, not 20 times. A slice is kept for a moment
 * ({@link #KEEP_MILLIS}); the log's rows never change, so a slice read a moment ago is as true as a fresh one (only
 * shorter), and a slice with no changes is not kept at all.
 */
@ApplicationScoped
class LogSlices {

    static final int BATCH = 100;
    private static final long KEEP_MILLIS = 1000;
    private static final DateTimeFormatter AT = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    /**
     * Changes after a position: {@code events} the JSON array the webhook body carries (null when there are none),
     * {@code through} the last change's sequence, else {@code upTo}: the newest sequence the filter was looked at up to.
     */
    record Slice(int size, OffsetDateTime firstAt, long through, long upTo, String events) {
    }

    private record Key(long after, Long workstreamId) {
    }

    private final Map<Key, Uni<Slice>> recent = new ConcurrentHashMap<>();
    private final Pool pool;
    private final ChangeLog log;
    private final Vertx vertx;

    LogSlices(Pool pool, ChangeLog log, Vertx vertx) {
        this.pool = pool;
        this.log = log;
        this.vertx = vertx;
    }

    /** Up to {@link #BATCH} changes after the position, of the workstream's agents (null: every agent). */
    Uni<Slice> after(long position, Long workstreamId) {
        Key key = new Key(position, workstreamId);
        return recent.computeIfAbsent(key, k -> {
            // an empty slice is not kept: the webhooks at that position would take it for the answer until it expired
            Uni<Slice> read = read(k).onItemOrFailure().invoke((slice, failure) -> {
                if (failure != null || slice.size() == 0) {
                    recent.remove(k);
                }
            }).memoize().indefinitely();
            vertx.setTimer(KEEP_MILLIS, timer -> recent.remove(k, read));
            return read;
        });
    }

    private Uni<Slice> read(Key key) {
        // with a filter, every change may be left out: then the webhook moves on to the newest change there is
        Uni<Long> upTo = key.workstreamId() == null ? Uni.createFrom().item(Long.MAX_VALUE) : log.lastSequence();
        return upTo.chain(last -> log.between(key.after(), last, BATCH, null, key.workstreamId()).chain(changes -> {
            if (changes.isEmpty()) {
                return Uni.createFrom().item(new Slice(0, null, key.after(), last, null));
            }
            return events(changes).map(events -> new Slice(changes.size(), changes.get(0).at,
                    changes.get(changes.size() - 1).sequenceNumber, last, events));
        }));
    }

    /** The changes as presenceHistory gives them, plus each agent's userId. */
    private Uni<String> events(List<PresenceChange> changes) {
        Long[] agentIds = changes.stream().map(c -> c.agentId).distinct().toArray(Long[]::new);
        return pool.preparedQuery("SELECT id, user_id FROM agent WHERE id = ANY($1)").execute(Tuple.of(agentIds)).map(rows -> {
            Map<Long, String> userIds = new HashMap<>();
            rows.forEach(row -> userIds.put(row.getLong("id"), row.getString("user_id")));
            JsonArray events = new JsonArray();
            for (PresenceChange change : changes) {
                events.add(new JsonObject()
                        .put("sequence", change.getSequence())
                        .put("agentId", Long.toString(change.agentId))
                        .put("userId", userIds.get(change.agentId))
                        .put("previous", presence(change.previous))
                        .put("current", presence(change.current))
                        .put("cause", change.cause.name())
                        .put("at", AT.format(change.at))
                        .put("version", change.version));
            }
            return events.encode();
        });
    }

    private static JsonObject presence(Presence p) {
        return p == null ? null : new JsonObject().put("id", Long.toString(p.id)).put("name", p.name)
                .put("presenceText", p.presenceText).put("baseStatus", p.baseStatus.name());
    }
}
