package org.ccpresence.stream;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;

import org.ccpresence.error.ApiException;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.BackPressureFailure;
import io.smallrye.mutiny.subscription.MultiEmitter;

/**
 * One subscriber of presenceChanged. Live changes arrive from the {@link ChangeFeed}; until the subscriber has been
 * served its replay, they wait here (bounded). A subscriber that falls more than {@code limit} changes behind is
 * dropped with a message telling it where to resume: after the last change actually handed to it, which the stream
 * reports through {@link #delivered} at its very end, so that changes still buffered when it overflowed are replayed.
 */
final class ChangeSubscription {

    private final Set<Long> agentIds;
    private final Long workstreamId;
    private final int limit;

    private final ArrayDeque<PresenceChange> early = new ArrayDeque<>();
    private MultiEmitter<? super PresenceChange> emitter;
    private long liveAfter = Long.MAX_VALUE;
    private long lastDelivered = -1;
    private boolean done;
    private boolean overflowed;

    ChangeSubscription(List<Long> agentIds, Long workstreamId, Long resumeAfter, int limit) {
        this.agentIds = agentIds == null ? null : Set.copyOf(agentIds);
        this.workstreamId = workstreamId;
        this.limit = limit;
        if (resumeAfter != null) {
            lastDelivered = resumeAfter;
        }
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
        if (lastDelivered < 0) {
            lastDelivered = sequence;
        }
    }

    /** The change was handed to the subscriber (replayed or live). */
    synchronized void delivered(PresenceChange change) {
        lastDelivered = change.sequenceNumber;
    }

    /** Called by the feed for every change, in sequence order. */
    synchronized void offer(PresenceChange change) {
        if (done || change.sequenceNumber <= liveAfter || !wants(change)) {
            return;
        }
        if (emitter == null) {
            if (early.size() >= limit) {
                overflow();
            } else {
                early.add(change);
            }
            return;
        }
        emitter.emit(change);
    }

    /** The live part, to be subscribed after the replay: first what arrived meanwhile, then as it comes. */
    Multi<PresenceChange> live() {
        return Multi.createFrom().<PresenceChange>emitter(e -> {
            synchronized (this) {
                if (overflowed) {
                    e.fail(new BackPressureFailure("fell behind while its replay was read"));
                    return;
                }
                emitter = e;
                early.forEach(e::emit);
                early.clear();
            }
        }, limit)
                // Each subscriber's GraphQL execution and socket write run off the feed's thread, in order per subscriber.
                .emitOn(Infrastructure.getDefaultExecutor());
    }

    synchronized void close() {
        done = true;
        early.clear();
    }

    private void overflow() {
        done = true;
        overflowed = true;
        early.clear();
        if (emitter != null) {
            emitter.fail(new BackPressureFailure("fell behind"));
        }
    }

    /** Why an overflowing subscription ends, and where to resume it without a gap. */
    synchronized ApiException tooSlow() {
        return ApiException.badInput("This subscription fell more than " + limit + " changes behind and was closed; "
                + "subscribe again with afterSequence: \"" + lastDelivered + "\" to resume without a gap.");
    }
}
