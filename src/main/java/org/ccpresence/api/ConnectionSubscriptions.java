package org.ccpresence.api;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

import org.ccpresence.error.ApiException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.netty.channel.Channel;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;

/**
 * The subscriptions of one WebSocket connection. SmallRye GraphQL runs every operation of a connection in the request
 * context of its upgrade request, so this request-scoped bean lives exactly as long as the connection. It caps how
 * many subscriptions are open at once, and paces them by the socket: SmallRye writes each event to the socket without
 * looking at its write queue, so a client that stops reading would grow that queue without bound. Held back by the
 * {@link #pacer()}, events wait in each subscription's own bounded buffer instead, and overflowing it ends the
 * subscription with an error.
 */
@RequestScoped
public class ConnectionSubscriptions {

    private static final Duration WRITABILITY_POLL = Duration.ofMillis(20);

    @Inject
    @ConfigProperty(name = "presence.graphql.max-subscriptions-per-connection", defaultValue = "100")
    int max;

    @Inject
    CurrentVertxRequest request;

    private final AtomicInteger open = new AtomicInteger();

    /** Counts the subscription until it ends (completed, cancelled or failed); over the cap it is refused at once. */
    public <T> Multi<T> open(Multi<T> subscription) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            throw ApiException.badInput("At most " + max + " subscriptions may be open on one connection; complete "
                    + "one first, or filter one subscription by several agentIds instead of subscribing per agent.");
        }
        return subscription.onTermination().invoke(open::decrementAndGet);
    }

    /** Paces events by this connection's socket: ready while the socket's write queue is below its high-water mark. */
    public Pacer pacer() {
        RoutingContext upgrade = request.getCurrent();
        if (upgrade != null && upgrade.request().connection() instanceof ConnectionBase connection) {
            Channel socket = connection.channel();
            return () -> untilWritable(socket);
        }
        return Pacer.UNPACED;
    }

    private static Uni<Void> untilWritable(Channel socket) {
        if (socket.isWritable() || !socket.isActive()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().voidItem().onItem().delayIt().by(WRITABILITY_POLL).chain(() -> untilWritable(socket));
    }
}
