package org.ccpresence.stream;

import java.time.OffsetDateTime;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.error.ApiException;
import org.ccpresence.error.ContractErrors;
import org.ccpresence.error.Inputs;
import org.ccpresence.graphql.EventSink;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.mutiny.Uni;

/** presenceChanged (replay from the log, then live, no gap and no duplicate) and presenceHistory. */
@ApplicationScoped
public class PresenceStream {

    public static final int DEFAULT_HISTORY = 100;
    public static final int MAX_HISTORY = 1000;
    private static final int REPLAY_PAGE = 500;

    private final ChangeFeed feed;
    private final ChangeLog log;
    private final int subscriberBuffer;
    private final int maxAgentIds;

    PresenceStream(ChangeFeed feed, ChangeLog log,
            @ConfigProperty(name = "presence.stream.subscriber-buffer", defaultValue = "1000") int subscriberBuffer,
            @ConfigProperty(name = "presence.stream.max-agent-ids", defaultValue = "1000") int maxAgentIds) {
        this.feed = feed;
        this.log = log;
        this.subscriberBuffer = subscriberBuffer;
        this.maxAgentIds = maxAgentIds;
    }

    /**
     * Delivers changes to the sink, rendered for its shape; with resumeAfter, first the stored ones after it, a page
     * at a time as the subscriber's socket takes them. Returns what stops the delivery.
     */
    public Runnable open(List<Long> agentIds, Long workstreamId, Long resumeAfter, EventSink sink) {
        ChangeSubscription subscription = new ChangeSubscription(agentIds, workstreamId, resumeAfter, subscriberBuffer, sink);
        feed.register(subscription, resumeAfter == null ? 0 : resumeAfter).subscribe().with(liveAfter -> {
            if (resumeAfter == null) {
                subscription.goLive();
            } else {
                replay(subscription, resumeAfter, liveAfter, agentIds, workstreamId);
            }
        }, failure -> sink.fail(ContractErrors.toApiException(failure)));
        return () -> {
            subscription.close();
            feed.unregister(subscription);
        };
    }

    /** Stored changes with after < sequence <= upTo, page by page, each once the previous one is written. */
    private void replay(ChangeSubscription subscription, long after, long upTo, List<Long> agentIds, Long workstreamId) {
        if (subscription.ended()) {
            return;
        }
        log.between(after, upTo, REPLAY_PAGE, agentIds, workstreamId).subscribe().with(page -> {
            page.forEach(subscription::replayed);
            if (page.size() < REPLAY_PAGE) {
                subscription.goLive();
            } else {
                long next = page.get(page.size() - 1).sequenceNumber;
                subscription.whenWritten(() -> replay(subscription, next, upTo, agentIds, workstreamId));
            }
        }, subscription::fail);
    }

    /** The newest change of the whole log, or null before the first. */
    public Uni<PresenceChange> latest() {
        return log.lastSequence().chain(last -> last == 0 ? Uni.createFrom().nullItem()
                : log.between(last - 1, last, 1, null, null).map(changes -> changes.isEmpty() ? null : changes.get(0)));
    }

    public Uni<List<PresenceChange>> history(long agentId, OffsetDateTime from, OffsetDateTime to, Integer first) {
        int limit = Inputs.first(first, DEFAULT_HISTORY, MAX_HISTORY, "");
        if (from != null && to != null && !from.isBefore(to)) {
            throw ApiException.badInput("from must be before to.");
        }
        return log.history(agentId, from, to, limit);
    }

    /** Parses and bounds the agentIds argument of presenceChanged. */
    public List<Long> agentIds(List<String> ids) {
        if (ids == null) {
            return null;
        }
        if (ids.size() > maxAgentIds) {
            throw ApiException.badInput("agentIds may name at most " + maxAgentIds + " agents (got " + ids.size()
                    + "); subscribe by workstreamId or without a filter instead.");
        }
        try {
            return ids.stream().map(Long::valueOf).toList();
        } catch (NumberFormatException | NullPointerException e) {
            throw ApiException.badInput("agentIds must be agent ids, without nulls (got " + ids + ").");
        }
    }

    /** Parses afterSequence; null stays null (live only). */
    public Long resumePoint(String sequence) {
        if (sequence == null) {
            return null;
        }
        try {
            long value = Long.parseLong(sequence);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.badInput("afterSequence must be a sequence received from this service (got \"" + sequence + "\").");
    }
}
