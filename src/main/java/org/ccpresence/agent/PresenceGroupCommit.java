package org.ccpresence.agent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.error.ApiException;
import org.ccpresence.presence.SystemPresence;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Applies {@code setPresence} calls by group commit: calls that arrive while a transaction is in flight wait for it,
 * then go together in the next one (one lock, one multi-row UPDATE, one NOTIFY, one fsync). Each call is validated on
 * its own, so one bad call fails alone; nobody gets an answer before the transaction that holds their change commits.
 */
@ApplicationScoped
class PresenceGroupCommit {

    record Request(long agentId, long presenceId, PresenceChangeCause cause, Integer expectedVersion,
            UniEmitter<? super Agent> reply) {
    }

    private final Pool pool;
    private final AgentRepository agents;
    private final int maxBatch;
    private final DistributionSummary batchSizes;

    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    private boolean inFlight;

    PresenceGroupCommit(Pool pool, AgentRepository agents, MeterRegistry metrics,
            @ConfigProperty(name = "presence.group-commit.max-batch", defaultValue = "256") int maxBatch) {
        this.pool = pool;
        this.batchSizes = DistributionSummary.builder("presence.group_commit.batch_size")
                .description("setPresence calls per group-commit transaction").publishPercentileHistogram()
                .minimumExpectedValue(1.0).maximumExpectedValue((double) maxBatch).register(metrics);
        this.agents = agents;
        this.maxBatch = maxBatch;
    }

    Uni<Agent> setPresence(long agentId, long presenceId, PresenceChangeCause cause, Integer expectedVersion) {
        return Uni.createFrom().emitter(reply -> {
            synchronized (this) {
                waiting.add(new Request(agentId, presenceId, cause, expectedVersion, reply));
                if (inFlight) {
                    return;
                }
                inFlight = true;
            }
            flushNext();
        });
    }

    private void flushNext() {
        List<Request> batch = takeBatch();
        if (batch.isEmpty()) {
            return;
        }
        batchSizes.record(batch.size());
        pool.withTransaction(tx -> apply(tx, batch))
                .subscribe().with(
                        outcomes -> {
                            for (int i = 0; i < batch.size(); i++) {
                                outcomes.get(i).answer(batch.get(i).reply());
                            }
                            flushNext();
                        },
                        failure -> {
                            batch.forEach(r -> r.reply().fail(failure));
                            flushNext();
                        });
    }

    /**
     * Takes up to maxBatch waiting calls, at most one per agent so that each agent's calls apply in arrival order (and
     * two calls made against the same version cannot both pass: the second is checked in the next batch).
     */
    private synchronized List<Request> takeBatch() {
        List<Request> batch = new ArrayList<>();
        Set<Long> agentsInBatch = new HashSet<>();
        for (Iterator<Request> it = waiting.iterator(); it.hasNext() && batch.size() < maxBatch;) {
            Request r = it.next();
            if (agentsInBatch.add(r.agentId())) {
                batch.add(r);
                it.remove();
            }
        }
        if (batch.isEmpty()) {
            inFlight = false;
        }
        return batch;
    }

    /** Returns one outcome per request, in batch order. */
    private Uni<List<Outcome>> apply(SqlConnection tx, List<Request> batch) {
        Long[] presenceIds = batch.stream().map(Request::presenceId).distinct().sorted().toArray(Long[]::new);
        Long[] agentIds = batch.stream().map(Request::agentId).sorted().toArray(Long[]::new);
        // Locks in a fixed order (presences, then agents by id) so that concurrent batches cannot deadlock.
        Uni<Map<Long, Row>> livePresences = tx.preparedQuery("""
                SELECT id, system_presence FROM presence WHERE id = ANY($1) AND deleted_at IS NULL
                ORDER BY id FOR SHARE""").execute(Tuple.of(presenceIds)).map(AgentRepository::byId);
        return livePresences.chain(presences -> agents.lockForChange(tx, agentIds)
                .chain(lockedAgents -> {
                    List<ApiException> refusals = new ArrayList<>();
                    List<Request> moves = new ArrayList<>();
                    List<Long> missesToForget = new ArrayList<>();
                    for (Request r : batch) {
                        Row agent = lockedAgents.get(r.agentId());
                        ApiException refusal = refusal(r, presences.get(r.presenceId()), agent);
                        refusals.add(refusal);
                        if (refusal == null && agent.getLong("presence_id") != r.presenceId()) {
                            moves.add(r);
                        } else if (refusal == null && agent.getInteger("missed_in_a_row") > 0) {
                            missesToForget.add(r.agentId()); // every successful setPresence, even one that changes nothing
                        }
                    }
                    return move(tx, moves)
                            .chain(() -> forgetMisses(tx, missesToForget))
                            .chain(() -> agents.findAll(tx, List.of(agentIds)))
                            .map(after -> {
                                Map<Long, Agent> byId = new HashMap<>();
                                after.forEach(a -> byId.put(a.id, a));
                                List<Outcome> outcomes = new ArrayList<>(batch.size());
                                for (int i = 0; i < batch.size(); i++) {
                                    outcomes.add(new Outcome(refusals.get(i), byId.get(batch.get(i).agentId())));
                                }
                                return outcomes;
                            });
                }));
    }

    private static ApiException refusal(Request r, Row presence, Row agent) {
        if (presence == null) {
            return ApiException.notFound("No presence with id " + r.presenceId() + "; list them with the presences query.");
        }
        if (SystemPresence.INACTIVE.name().equals(presence.getString("system_presence"))) {
            return ApiException.forbidden("Inactive cannot be chosen by hand; only a missed offer puts an agent there.");
        }
        if (agent == null) {
            return ApiException.notFound("No agent with id " + r.agentId() + ".");
        }
        ApiException stale = AgentService.staleVersion(r.agentId(), agent, r.expectedVersion());
        if (stale != null) {
            return stale;
        }
        if (!agent.getBoolean("signed_in")) {
            return ApiException.badInput("Agent " + r.agentId() + " is signed out; sign in before setting a presence.");
        }
        return null;
    }

    private static Uni<Void> move(SqlConnection tx, List<Request> moves) {
        if (moves.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("""
                UPDATE agent a SET presence_id = m.presence_id, presence_cause = m.cause, presence_since = now(),
                                   version = a.version + 1, missed_in_a_row = 0
                FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS m(agent_id, presence_id, cause)
                WHERE a.id = m.agent_id""")
                .execute(Tuple.of(
                        moves.stream().map(Request::agentId).toArray(Long[]::new),
                        moves.stream().map(Request::presenceId).toArray(Long[]::new),
                        moves.stream().map(r -> r.cause().name()).toArray(String[]::new)))
                .replaceWithVoid();
    }

    private static Uni<Void> forgetMisses(SqlConnection tx, List<Long> agentIds) {
        if (agentIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("UPDATE agent SET missed_in_a_row = 0 WHERE id = ANY($1)")
                .execute(Tuple.of(agentIds.toArray(Long[]::new))).replaceWithVoid();
    }


    private record Outcome(ApiException refusal, Agent agent) {
        void answer(UniEmitter<? super Agent> reply) {
            if (refusal != null) {
                reply.fail(refusal);
            } else {
                reply.complete(agent);
            }
        }
    }
}
