package org.ccpresence.routing;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.ccpresence.error.ApiException;
import org.ccpresence.graphql.EventSink;
import org.ccpresence.graphql.Shape;
import org.ccpresence.stream.PgNotifications;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Offer updates for offerUpdates subscribers of this replica. A notification carries the ids of offers that were made
 * or answered on any replica; the feed loads them once, renders each once per shape of its agent's subscribers and
 * hands the text to each of them, offer after offer.
 */
@ApplicationScoped
class OfferFeed {

    static final String CHANNEL = "offer_update";
    private static final Logger LOG = Logger.getLogger(OfferFeed.class);

    private record Subscriber(long agentId, EventSink sink) {
    }

    private final PgNotifications notifications;
    private final RoutingService routing;
    private final int buffer;
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final Queue<String> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();

    OfferFeed(PgNotifications notifications, RoutingService routing,
            @ConfigProperty(name = "presence.stream.subscriber-buffer", defaultValue = "1000") int buffer) {
        this.notifications = notifications;
        this.routing = routing;
        this.buffer = buffer;
    }

    void start(@Observes StartupEvent event) {
        notifications.listen(CHANNEL, this::deliver, () -> {
        });
    }

    /** Hands the agent's offer updates to the sink until the returned action runs. */
    Runnable open(long agentId, EventSink sink) {
        Subscriber subscriber = new Subscriber(agentId, sink);
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    /** Notifications arrive in commit order; they are loaded and delivered one after the other to keep it. */
    private void deliver(String payload) {
        if (subscribers.isEmpty() || payload == null || payload.isBlank()) {
            return;
        }
        waiting.add(payload);
        if (draining.compareAndSet(false, true)) {
            drain();
        }
    }

    private void drain() {
        String payload = waiting.poll();
        if (payload == null) {
            draining.set(false);
            if (!waiting.isEmpty() && draining.compareAndSet(false, true)) {
                drain();
            }
            return;
        }
        List<Long> ids = Arrays.stream(payload.split(",")).map(Long::valueOf).toList();
        routing.findAll(ids)
                .onItem().transformToMulti(offers -> Multi.createFrom().iterable(offers))
                .onItem().transformToUniAndConcatenate(this::toSubscribers)
                .collect().last()
                .subscribe().with(done -> drain(), failure -> {
                    LOG.warn("Could not deliver offer updates " + payload, failure);
                    drain();
                });
    }

    private Uni<Void> toSubscribers(Offer offer) {
        List<Subscriber> followers = subscribers.stream().filter(s -> s.agentId() == offer.agentId).toList();
        Map<Shape, CompletableFuture<String>> rendered = new HashMap<>();
        followers.forEach(s -> rendered.computeIfAbsent(s.sink().shape(), shape -> shape.render(offer)));
        return Uni.createFrom().completionStage(CompletableFuture.allOf(rendered.values().toArray(CompletableFuture[]::new)))
                .invoke(() -> followers.forEach(s -> {
                    if (!s.sink().next(0, 0, rendered.get(s.sink().shape()).join())) {
                        subscribers.remove(s);
                        s.sink().fail(ApiException.badInput("This subscription fell more than " + buffer
                                + " offer updates behind and was closed; subscribe again and read current offers with "
                                + "the offers query."));
                    }
                }));
    }
}
