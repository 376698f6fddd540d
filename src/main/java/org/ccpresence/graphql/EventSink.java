package org.ccpresence.graphql;

import org.ccpresence.error.ApiException;

/** Where a subscription's events go: the subscriber's socket, paced by how fast the client reads. */
public interface EventSink {

    /** How this subscriber's events are rendered (shared by every subscriber of the same shape). */
    Shape shape();

    /**
     * Hands over a rendered event ({@link Shape#render}) at a position of the stream (for presence changes, its
     * sequence), committed at {@code committedAt} (epoch ms; 0 when not a live event: its delivery time is not
     * measured). False when the client is already as far behind as the sink holds: the event was not taken.
     */
    boolean next(long position, long committedAt, String payload);

    /** The position of the last event written to the socket, or {@code otherwise} if none was. */
    long lastWritten(long otherwise);

    /** Runs the action once everything handed over so far has been written to the socket (at once if it has). */
    void whenWritten(Runnable action);

    /** Ends the subscription with an error (the stream failed after it started), after what was already written. */
    void fail(ApiException error);
}
