package org.ccpresence.graphql;

import java.util.Map;
import java.util.Set;

import org.ccpresence.security.Caller;

import graphql.schema.DataFetcher;
import graphql.schema.FieldCoordinates;
import io.smallrye.mutiny.Uni;

/**
 * A subscription field served by the WebSocket transport ({@link GraphQLWebSocket}); each feature declares its own
 * (presenceChanged in stream, offerUpdates in routing). The {@code @Subscription} method of its GraphQL class only
 * declares the field in the schema.
 */
public interface LiveField {

    /** The field of the Subscription type. */
    String name();

    /**
     * Arguments that choose which events a subscriber gets, not how they look: subscribers that differ only in these
     * share one rendering of each event.
     */
    Set<String> filterArguments();

    /**
     * Fetchers for fields below the event that the engine's own would resolve per request (with a request context);
     * the renderer uses these instead. Fields that are neither plain properties nor listed here cannot be selected in a
     * subscription.
     */
    default Map<FieldCoordinates, DataFetcher<?>> fetchers() {
        return Map.of();
    }

    /**
     * Starts delivering events to the sink, for the caller, with the field's arguments (as GraphQL coerced them: ids
     * are strings). Completes with what stops the delivery, or fails with the contract error that refuses it.
     */
    Uni<Runnable> open(Caller caller, Map<String, Object> arguments, EventSink sink);

    /** An id argument, or null; its text was checked when the subscription was accepted ({@link IdArguments}). */
    static Long id(Map<String, Object> arguments, String name) {
        Object id = arguments.get(name);
        return id == null ? null : Long.valueOf(id.toString());
    }
}
