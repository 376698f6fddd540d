package org.ccpresence.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.ccpresence.agent.PresenceChangeCause;
import org.ccpresence.graphql.Shape;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * This replica's view of the presence change log. The replica's LISTEN connection hears that "something changed";
 * the feed then reads every change after the last one it saw, once, renders it once per shape of the subscriptions
 * that want it, and hands the same text to each of them. After the listening connection drops and comes back, the
 * feed reads from where it was, so nothing committed meanwhile is missed. All feed state lives on one Vert.x context: no locks, and subscriptions register in between
 * two deliveries, never during one.
 */
@ApplicationScoped
public class ChangeFeed {

    private final Map<PresenceChangeCause, Counter> changesByCause = new java.util.EnumMap<>(PresenceChangeCause.class);

    static final String CHANNEL = "presence_change";
    private static final Logger LOG = Logger.getLogger(ChangeFeed.class);
    private static final int PAGE = 500;

    private final Vertx vertx;
    private final ChangeLog log;
    private final PgNotifications notifications;
    private final long safetyPollMillis;

    private Context context;
    private Executor onFeed;
    /** Subscriptions by the agent they follow, and those that follow every agent (possibly by workstream). */
    private final Map<Long, List<ChangeSubscription>> byAgent = new HashMap<>();
    private final List<ChangeSubscription> everyAgent = new ArrayList<>();
    private final List<Runnable> afterNewChanges = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The current change, rendered once per shape of its subscribers. */
    private final Map<Shape, String> rendered = new IdentityHashMap<>();
    private long lastSeen;
    private boolean reading;
    private boolean readAgain;

    ChangeFeed(Vertx vertx, ChangeLog log, PgNotifications notifications, MeterRegistry metrics,
            @ConfigProperty(name = "presence.stream.safety-poll", defaultValue = "5s") Duration safetyPoll) {
        this.vertx = vertx;
        for (PresenceChangeCause cause : PresenceChangeCause.values()) {
            changesByCause.put(cause, Counter.builder("presence.changes").tag("cause", cause.name())
                    .description("Presence changes read from the log by this replica (every replica reads every change)")
                    .register(metrics));
        }
        this.log = log;
        this.notifications = notifications;
        this.safetyPollMillis = safetyPoll.toMillis();
    }

    void start(@Observes StartupEvent event) {
        context = vertx.getOrCreateContext();
        onFeed = task -> context.runOnContext(v -> task.run());
        lastSeen = log.lastSequence().await().atMost(Duration.ofSeconds(30));
        Runnable readOnFeed = () -> context.runOnContext(x -> read());
        notifications.listen(CHANNEL, payload -> readOnFeed.run(), readOnFeed);
        // A notification can only be lost while the listener is down, and the reconnect reads anyway; this slow
        // poll is a last line of defence, not the delivery path.
        vertx.setPeriodic(safetyPollMillis, id -> readOnFeed.run());
    }

    /**
     * Registers a subscription on the feed's context. Completes with the sequence up to which the subscriber must be
     * served from the log: everything after it reaches the subscription live.
     */
    Uni<Long> register(ChangeSubscription subscription, long resumeAfter) {
        return Uni.createFrom().emitter(e -> context.runOnContext(v -> {
            long liveAfter = Math.max(lastSeen, resumeAfter);
            subscription.liveAfter(liveAfter);
            if (subscription.agentIds() == null) {
                everyAgent.add(subscription);
            } else {
                subscription.agentIds().forEach(id -> byAgent.computeIfAbsent(id, k -> new ArrayList<>()).add(subscription));
            }
            e.complete(liveAfter);
        }));
    }

    /** Runs after every read that found new changes (on the feed's context): for senders that read the log themselves. */
    public void afterNewChanges(Runnable listener) {
        afterNewChanges.add(listener);
    }

    void unregister(ChangeSubscription subscription) {
        context.runOnContext(v -> {
            if (subscription.agentIds() == null) {
                everyAgent.remove(subscription);
            } else {
                subscription.agentIds().forEach(id -> {
                    List<ChangeSubscription> followers = byAgent.get(id);
                    if (followers != null && followers.remove(subscription) && followers.isEmpty()) {
                        byAgent.remove(id);
                    }
                });
            }
        });
    }

    /** Reads everything after lastSeen and delivers it; single-flight, re-runs if asked again meanwhile. */
    private void read() {
        if (reading) {
            readAgain = true;
            return;
        }
        reading = true;
        readAgain = false;
        log.between(lastSeen, Long.MAX_VALUE, PAGE, null, null).emitOn(onFeed).subscribe().with(changes -> {
            try {
                for (PresenceChange change : changes) {
                    lastSeen = change.sequenceNumber;
                    changesByCause.get(change.cause).increment();
                    List<ChangeSubscription> followers = byAgent.get(change.agentId);
                    if (followers != null) {
                        followers.forEach(s -> s.offer(change, rendered));
                    }
                    everyAgent.forEach(s -> s.offer(change, rendered));
                    rendered.clear();
                }
            } finally {
                rendered.clear();
                reading = false;
            }
            if (!changes.isEmpty()) {
                afterNewChanges.forEach(Runnable::run);
            }
            if (changes.size() == PAGE || readAgain) {
                read();
            }
        }, failure -> {
            reading = false;
            LOG.warn("Reading the presence change log failed; will retry on the next notification or poll", failure);
        });
    }
}
