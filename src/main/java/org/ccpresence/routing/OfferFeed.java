package org.ccpresence.routing;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.ccpresence.api.Pacer;
import org.ccpresence.error.ApiException;
import org.ccpresence.stream.PgNotifications;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;

/**
 * Offer updates for offerUpdates subscribers of this replica. A notification carries the ids of offers that were made
 * or answered on any replica; the feed loads them once and hands each to the subscribers of its agent.
 */
@ApplicationScoped
class OfferFeed {

    static final String CHANNEL = "offer_update";
    private static final Logger LOG = Logger.getLogger(OfferFeed.class);

    private record Subscriber(long agentId, MultiEmitter<? super Offer> emitter) {
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

    Multi<Offer> updates(long agentId) {
        return Multi.createFrom().<Offer>emitter(emitter -> {
            Subscriber subscriber = new Subscriber(agentId, emitter);
            subscribers.add(subscriber);
            emitter.onTermination(() -> subscribers.remove(subscriber));
        }, buffer).onFailure(Pacer::fellBehind).transform(f -> ApiException.badInput(
                "This subscription fell more than " + buffer + " offer updates behind and was closed; subscribe again "
                        + "and read current offers with the offers query."));
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
        routing.findAll(ids).subscribe().with(offers -> {
            offers.forEach(offer -> subscribers.forEach(s -> {
                if (s.agentId() == offer.agentId) {
                    s.emitter().emit(offer);
                }
            }));
            drain();
        }, failure -> {
            LOG.warn("Could not load offer updates " + payload, failure);
            drain();
        });
    }
}
