package org.ccpresence.stream;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.ccpresence.error.ApiException;
import org.ccpresence.error.ContractErrors;
import org.ccpresence.graphql.EventSink;
import org.ccpresence.graphql.Shape;

/**
 * One subscriber of presenceChanged. Live changes arrive from the {@link ChangeFeed}, already rendered for the
 * subscriber's shape; until the subscriber has been served its replay, they wait here (bounded). A subscriber that
 * falls more than {@code limit} changes behind is dropped with a message telling it where to resume: after the last
 * change actually written to its socket, so that nothing it did not get is skipped.
 */
final class ChangeSubscription {

    private final Set<Long> agentIds;
    private final Long workstreamId;
    private final int limit;
    private final EventSink sink;

    private ArrayDeque<PresenceChange> early;
    private long liveAfter = Long.MAX_VALUE;
    private long servedUpTo;
    private boolean live;
    private boolean done;

    ChangeSubscription(List<Long> agentIds, Long workstreamId, Long resumeAfter, int limit, EventSink sink) {
        this.agentIds = agentIds == null ? null : Set.copyOf(agentIds);
        this.workstreamId = workstreamId;
        this.limit = limit;
        this.sink = sink;
        this.servedUpTo = resumeAfter == null ? -1 : resumeAfter;
    }

    /** The agents followed, or null for every agent. */
    Set<Long> agentIds() {
        return agentIds;
    }

    boolean wants(PresenceChange change) {
        return (agentIds == null || agentIds.contains(change.agentId))
                && (workstreamId == null || change.workstreamIds.contains(workstreamId));
    }

    /**
     * Set once, on the feed's context, when registered: live delivery starts after this sequence (the feed's last
     * delivered change, or the resume point if the caller has seen further than this replica has read).
     */
    synchronized void liveAfter(long sequence) {
        liveAfter = sequence;
        if (servedUpTo < 0) {
            servedUpTo = sequence;
        }
    }

    /** A stored change of the replay (sequence at most liveAfter). */
    synchronized void replayed(PresenceChange change) {
        send(change, sink.shape().renderNow(change), false);
    }

    /** The replay is done: what arrived meanwhile goes first, then changes go out as they come. */
    synchronized void goLive() {
        live = true;
        if (early != null) {
            for (PresenceChange change : early) {
                send(change, sink.shape().renderNow(change), true);
            }
            early = null;
        }
    }

    /** Called by the feed for every change, in sequence order; renderings are shared through the feed's memo. */
    synchronized void offer(PresenceChange change, Map<Shape, String> rendered) {
        if (done || change.sequenceNumber <= liveAfter || !wants(change)) {
            return;
        }
        if (!live) {
            if (early == null) {
                early = new ArrayDeque<>();
            }
            if (early.size() >= limit) {
                overflow();
            } else {
                early.add(change);
            }
            return;
        }
        send(change, rendered.computeIfAbsent(sink.shape(), shape -> shape.renderNow(change)), true);
    }

    /** {@code live}: a change as it happens (its delivery time is measured), not one read back from the history. */
    private void send(PresenceChange change, String payload, boolean live) {
        if (!done && !sink.next(change.sequenceNumber, live ? change.at.toInstant().toEpochMilli() : 0, payload)) {
            overflow();
        }
    }

    /** Runs the action once what was handed to the sink is written (the replay's pace). */
    void whenWritten(Runnable action) {
        sink.whenWritten(action);
    }

    /** The replay could not be read. */
    void fail(Throwable failure) {
        synchronized (this) {
            done = true;
            early = null;
        }
        sink.fail(ContractErrors.toApiException(failure));
    }

    /** Closed by its client, or cut off as too slow: no more replay pages. */
    synchronized boolean ended() {
        return done;
    }

    synchronized void close() {
        done = true;
        early = null;
    }

    private void overflow() {
        done = true;
        early = null;
        sink.fail(ApiException.badInput("This subscription fell more than " + limit + " changes behind and was closed; "
                + "subscribe again with afterSequence: \"" + sink.lastWritten(servedUpTo) + "\" to resume without a gap."));
    }
}
