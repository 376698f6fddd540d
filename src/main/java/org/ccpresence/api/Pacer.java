package org.ccpresence.api;

import java.nio.BufferOverflowException;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.BackPressureFailure;

/** Holds a subscription's events back while its client's socket takes no more (see {@link ConnectionSubscriptions}). */
@FunctionalInterface
public interface Pacer {

    Pacer UNPACED = () -> Uni.createFrom().voidItem();

    /** Completes when the socket takes more. */
    Uni<Void> ready();

    default <T> Multi<T> pace(Multi<T> events) {
        return events.onItem().call(this::ready);
    }

    /**
     * Whether a subscription failed because its subscriber fell further behind than its buffer holds. Mutiny's
     * buffered emitter signals that with a {@link BufferOverflowException}, its back-pressure operators with a
     * {@link BackPressureFailure}.
     */
    static boolean fellBehind(Throwable failure) {
        return failure instanceof BufferOverflowException || failure instanceof BackPressureFailure;
    }
}
