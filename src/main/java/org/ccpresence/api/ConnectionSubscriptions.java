package org.ccpresence.api;

import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

import org.ccpresence.error.ApiException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.mutiny.Multi;

/**
 * Caps the subscriptions open on one WebSocket connection. SmallRye GraphQL runs every operation of a connection in
 * the request context of its upgrade request, so this request-scoped counter lives exactly as long as the connection.
 */
@RequestScoped
public class ConnectionSubscriptions {

    @Inject
    @ConfigProperty(name = "presence.graphql.max-subscriptions-per-connection", defaultValue = "100")
    int max;

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
}
