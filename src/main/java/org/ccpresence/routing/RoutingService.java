package org.ccpresence.routing;

import static java.util.stream.Collectors.toSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.agent.PendingWork;
import org.ccpresence.agent.Sweeps;
import org.ccpresence.error.ApiException;
import org.ccpresence.error.ErrorCode;
import org.ccpresence.error.Inputs;
import org.ccpresence.routing.OfferRepository.Item;
import org.ccpresence.workstream.WorkstreamService;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** Offers: routing a work item to an eligible agent, answers, and what happens to the item when an offer ends. */
@ApplicationScoped
public class RoutingService implements PendingWork {

    static final int MAX_WORK_ITEM = 500;
    static final int MAX_REJECT_REASON = 200;
    /** Rounds for items whose pick lost a race with a concurrent routing transaction (see OfferRepository.Round). */
    private static final int MAX_ROUNDS = 5;

    private final Pool pool;
    private final OfferRepository offers;
    private final Capacity capacity;
    private final EligibilityRepository eligibility;
    private final java.util.Map<String, Counter> outcomes = new java.util.HashMap<>();
    private final MeterRegistry metrics;
    private final Timer wrapUps;

    RoutingService(Pool pool, OfferRepository offers, Capacity capacity, EligibilityRepository eligibility, MeterRegistry metrics) {
        this.pool = pool;
        this.eligibility = eligibility;
        this.metrics = metrics;
        this.wrapUps = Timer.builder("presence.wrap_up").description("How long wrap-ups lasted, from completeWork to COMPLETED")
                .publishPercentileHistogram().register(metrics);
        this.offers = offers;
        this.capacity = capacity;
        for (String outcome : List.of("OFFERED", "ACCEPTED", "REJECTED", "EXPIRED", "COMPLETED", "WRAP_UP")) {
            outcomes.put(outcome, Counter.builder("presence.offers").tag("outcome", outcome)
                    .description("Offers made, answered, expired and completed by this replica").register(metrics));
        }
    }

    private void count(String outcome, int offers) {
        outcomes.get(outcome).increment(offers);
    }

    public Uni<Offer> offerWork(long workstreamId, String workItem) {
        String item = Inputs.text("workItem", workItem, 1, MAX_WORK_ITEM);
        return pool.withTransaction(tx -> tx.preparedQuery("""
                SELECT (SELECT agent_id FROM offer o WHERE o.workstream_id = w.id AND o.work_item = $2 AND o.state = 'PENDING')
                FROM workstream w WHERE w.id = $1 FOR SHARE""")
                .execute(Tuple.of(workstreamId, item))
                .chain(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().failure(ApiException.notFound("No workstream with id " + workstreamId + "."));
                    }
                    Long pendingWith = rows.iterator().next().getLong(0);
                    if (pendingWith != null) {
                        return Uni.createFrom().failure(ApiException.conflict("Work item '" + item
                                + "' is already offered to agent " + pendingWith + "; wait for the answer or the expiry."));
                    }
                    return offerAll(tx, List.of(new Item(workstreamId, item)), List.of());
                })
                .map(made -> {
                    if (made.isEmpty()) {
                        throw new ApiException(ErrorCode.NO_ELIGIBLE_AGENT, "No agent of workstream " + workstreamId
                                + " is eligible now (signed in, in an allowed base status, without a pending offer, "
                                + "not offered this item before); try again later.");
                    }
                    return made.get(0);
                }));
    }

    public Uni<Offer> accept(long offerId) {
        return answer(offerId, OfferState.ACCEPTED, null);
    }

    /**
     * Ends the work of an accepted offer: with the workstream's wrap-up, starts it (WRAP_UP, capacity still held);
     * otherwise, and on a WRAP_UP offer (ending it early), completes it and frees the capacity it held (which may
     * return the agent from Busy).
     */
    public Uni<Offer> complete(long offerId) {
        return pool.withTransaction(tx -> capacity.lockAgentOf(tx, offerId)
                .chain(() -> offers.complete(tx, offerId))
                .chain(done -> {
                    if (done == null) {
                        return refused(tx, offerId, offer -> "is " + offer.state.name()
                                + "; only an ACCEPTED offer (or one in WRAP_UP) can be completed");
                    }
                    return done.state == OfferState.WRAP_UP ? Uni.createFrom().item(done)
                            : capacity.release(tx, done.agentId, done.capacityUnits).replaceWith(done);
                }))
                .invoke(done -> {
                    count(done.state.name(), 1);
                    if (done.state == OfferState.COMPLETED && done.wrapUpStartedAt != null) {
                        wrapUps.record(java.time.Duration.between(done.wrapUpStartedAt, done.completedAt));
                    }
                });
    }

    /** One wrap-up sweep batch: ends the due wrap-ups and frees what they held; returns how many ended. */
    Uni<Integer> endWrapUps(int limit) {
        return pool.withTransaction(tx -> offers.endDueWrapUps(tx, limit).call(ended -> ended.isEmpty() ? Uni.createFrom().voidItem()
                : capacity.release(tx, ended.stream().map(OfferRepository.WrapUpEnded::agentId).toList(),
                        ended.stream().map(OfferRepository.WrapUpEnded::capacityUnits).toList()))
                .invoke(ended -> ended.forEach(e -> wrapUps.record((long) (e.seconds() * 1_000_000), java.util.concurrent.TimeUnit.MICROSECONDS)))
                .map(List::size))
                .invoke(ended -> count("COMPLETED", ended));
    }

    public Uni<Offer> reject(long offerId, String reason) {
        String trimmed = reason == null ? "" : reason.strip();
        if (trimmed.length() > MAX_REJECT_REASON) {
            throw ApiException.badInput("reason may be at most " + MAX_REJECT_REASON + " characters (got " + trimmed.length()
                    + "); shorten it.");
        }
        return answer(offerId, OfferState.REJECTED, trimmed.isEmpty() ? null : trimmed);
    }

    private Uni<Offer> answer(long offerId, OfferState answer, String rejectReason) {
        return pool.withTransaction(tx -> capacity.lockAgentOf(tx, offerId)
                .chain(() -> offers.answer(tx, offerId, answer, rejectReason))
                .chain(answered -> {
                    if (answered == null) {
                        return refused(tx, offerId, offer -> "can no longer be answered: it is "
                                + (offer.state == OfferState.PENDING ? "past its expiry (" + offer.expiresAt + ")" : offer.state.name()));
                    }
                    if (answer == OfferState.REJECTED) {
                        return offers.moveAfterReject(tx, answered.agentId, answered.workstreamId)
                                .chain(() -> offerAll(tx, List.of(new Item(answered.workstreamId, answered.workItem)), List.of()))
                                .replaceWith(answered);
                    }
                    return capacity.hold(tx, answered.id)
                            .chain(() -> offers.forgetMisses(tx, answered.agentId))
                            .chain(() -> offers.find(tx, answered.id));
                })).invoke(answered -> {
                    count(answer.name(), 1);
                    if (answer == OfferState.REJECTED) {
                        Counter.builder("presence.offers.rejected").tag("workstream", Long.toString(answered.workstreamId))
                                .description("Offers rejected on this replica, by workstream").register(metrics).increment();
                    }
                });
    }

    /** Why an offer could not be answered or completed: it does not exist (NOT_FOUND), or its state (CONFLICT). */
    private Uni<Offer> refused(SqlClient tx, long offerId, java.util.function.Function<Offer, String> why) {
        return offers.find(tx, offerId).map(offer -> {
            throw offer == null ? ApiException.notFound("No offer with id " + offerId + ".")
                    : ApiException.conflict("Offer " + offerId + " " + why.apply(offer) + ".");
        });
    }

    /** At sign-out: the agents' pending offers expire at once and their items go to the next eligible agents. */
    @Override
    public Uni<Void> releaseOnSignOut(SqlClient tx, List<Long> agentIds) {
        return offers.expirePendingOf(tx, agentIds).invoke(items -> count("EXPIRED", items.size()))
                .chain(items -> offerAll(tx, items, List.of())).replaceWithVoid();
    }

    /**
     * One sweep batch: expire due offers, offer their items to the next agents (never to one who just missed an
     * offer), then count the misses (Inactive or signed out by the workstream's policy) — last, because that takes the
     * change-ordering lock that every presence change waits for. Returns how many offers expired.
     */
    Uni<Integer> sweepBatch(int limit) {
        return pool.withTransaction(tx -> Sweeps.planForCurrentTableSizes(tx)
                .chain(() -> offers.expireDue(tx, limit))
                .call(expired -> offerAll(tx, expired.items(), expired.missedBy()))
                .call(expired -> offers.countMisses(tx, expired.misses()))
                .map(expired -> expired.items().size()))
                .invoke(expired -> count("EXPIRED", expired));
    }

    public Uni<List<Offer>> list(Long agentId, String workItem, OfferState state) {
        return offers.list(pool, agentId, workItem, state);
    }

    public Uni<Offer> find(long id) {
        return offers.find(pool, id);
    }

    public Uni<List<Offer>> findAll(List<Long> ids) {
        return offers.findAll(pool, ids);
    }

    /** Every member of the (loaded) workstream, eligible ones first in routing order. */
    public Uni<List<Eligibility>> eligibility(long workstreamId) {
        return eligibility.explain(workstreamId, null);
    }

    /** One agent's eligibility for a workstream, member or not; NOT_FOUND for an unknown workstream. */
    public Uni<Eligibility> eligibility(long workstreamId, long agentId) {
        return eligibility.explain(workstreamId, agentId).map(all -> all.stream().filter(e -> e.agentId == agentId).findFirst()
                .orElseThrow(() -> WorkstreamService.notFound(workstreamId)));
    }

    /** Each agent's wrap-up end (null when not wrapping up), in the order given. */
    public Uni<List<java.time.OffsetDateTime>> wrapUpUntil(List<Long> agentIds) {
        return offers.wrapUpUntil(pool, agentIds).map(until -> agentIds.stream().map(until::get).toList());
    }

    public Uni<List<Long>> eligibleAgentIds(long workstreamId, int limit) {
        return offers.eligibleAgentIds(pool, workstreamId, limit);
    }

    /** Offers every item to its next agent (never to an excluded one), in rounds, until each has one or none is left. */
    private Uni<List<Offer>> offerAll(SqlClient tx, List<Item> items, List<Long> excluded) {
        return offerRounds(tx, items, excluded, new ArrayList<>(), 0).invoke(made -> count("OFFERED", made.size()));
    }

    private Uni<List<Offer>> offerRounds(SqlClient tx, List<Item> waiting, List<Long> excluded, List<Offer> made, int round) {
        if (waiting.isEmpty() || round == MAX_ROUNDS) {
            return Uni.createFrom().item(made);
        }
        return offers.offerToNextAgents(tx, waiting, excluded).chain(result -> {
            if (result.picked() == 0) {
                return Uni.createFrom().item(made);
            }
            made.addAll(result.offers());
            Set<Item> offered = result.offers().stream().map(o -> new Item(o.workstreamId, o.workItem)).collect(toSet());
            List<Item> still = waiting.stream().filter(item -> !offered.contains(item)).toList();
            return offerRounds(tx, still, excluded, made, round + 1);
        });
    }
}
