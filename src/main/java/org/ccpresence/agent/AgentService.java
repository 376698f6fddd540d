package org.ccpresence.agent;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.error.ApiException;
import org.ccpresence.error.Inputs;
import org.ccpresence.presence.SystemPresence;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** Agents: their records, workstream memberships, sign-in state and presence. */
@ApplicationScoped
public class AgentService {

    public static final int DEFAULT_PAGE = 100;
    public static final int MAX_PAGE = 1000;
    static final int MAX_NAME = 200;
    static final int DEFAULT_CAPACITY = 100;
    static final int MAX_CAPACITY = 10_000;

    private final Pool pool;
    private final AgentRepository agents;
    private final PresenceGroupCommit groupCommit;
    private final PendingWork pendingWork;

    AgentService(Pool pool, AgentRepository agents, PresenceGroupCommit groupCommit, PendingWork pendingWork) {
        this.pool = pool;
        this.agents = agents;
        this.groupCommit = groupCommit;
        this.pendingWork = pendingWork;
    }

    public Uni<Agent> find(long id) {
        return agents.find(pool, id);
    }

    public Uni<List<Agent>> findAll(List<Long> ids) {
        return agents.findAll(pool, ids);
    }

    /** The agents of each workstream, in the order of the given workstream ids. */
    public Uni<List<List<Agent>>> membersOf(List<Long> workstreamIds) {
        return agents.membersOf(pool, workstreamIds).map(rows -> {
            java.util.Map<Long, List<Agent>> byWorkstream = new java.util.HashMap<>();
            var reader = Agent.reader();
            rows.forEach(row -> byWorkstream.computeIfAbsent(row.getLong("workstream_id"), k -> new java.util.ArrayList<>())
                    .add(reader.apply(row)));
            return workstreamIds.stream().map(id -> byWorkstream.getOrDefault(id, List.of())).toList();
        });
    }

    public Uni<List<Agent>> page(AgentFilter filter, Integer first, Long after) {
        int size = Inputs.first(first, DEFAULT_PAGE, MAX_PAGE, "; page with after");
        return agents.page(pool, filter, size, after == null ? 0 : after);
    }

    public Uni<Agent> create(AgentInput input) {
        AgentInput valid = validated(input, DEFAULT_CAPACITY);
        return pool.withTransaction(tx -> checkReferences(tx, valid)
                .chain(() -> agents.insert(tx, valid))
                .call(id -> valid.workstreamIds == null ? Uni.createFrom().voidItem()
                        : agents.replaceWorkstreams(tx, id, valid.workstreamIds))
                .chain(id -> agents.find(tx, id)));
    }

    public Uni<Agent> update(long id, AgentInput input) {
        AgentInput valid = validated(input, null);
        return pool.withTransaction(tx -> checkReferences(tx, valid)
                .chain(() -> agents.update(tx, id, valid))
                // Without workstreamIds, an update keeps the agent's memberships.
                .call(found -> found && valid.workstreamIds != null ? agents.replaceWorkstreams(tx, id, valid.workstreamIds)
                        : Uni.createFrom().voidItem())
                .chain(found -> found ? agents.find(tx, id) : Uni.createFrom().failure(noAgent(id))));
    }

    public Uni<Long> delete(long id) {
        return pool.withTransaction(tx -> agents.delete(tx, id))
                .map(found -> {
                    if (!found) {
                        throw noAgent(id);
                    }
                    return id;
                });
    }

    public Uni<Agent> signIn(long agentId, Integer expectedVersion) {
        return pool.withTransaction(tx -> checkVersion(tx, agentId, expectedVersion)
                .chain(() -> agents.signIn(tx, agentId)))
                .map(agent -> existing(agent, agentId));
    }

    public Uni<Agent> signOut(long agentId, Integer expectedVersion) {
        return pool.withTransaction(tx -> checkVersion(tx, agentId, expectedVersion)
                .chain(() -> agents.signOut(tx, agentId))
                .call(agent -> agent == null ? Uni.createFrom().voidItem() : pendingWork.releaseOnSignOut(tx, List.of(agentId))))
                .map(agent -> existing(agent, agentId));
    }

    public Uni<Agent> setPresence(long agentId, long presenceId, PresenceChangeCause cause, Integer expectedVersion) {
        return groupCommit.setPresence(agentId, presenceId, cause, expectedVersion);
    }

    /** Without an expected version there is nothing to check (and nothing locked before the write itself). */
    private Uni<Void> checkVersion(SqlClient tx, long agentId, Integer expectedVersion) {
        if (expectedVersion == null) {
            return Uni.createFrom().voidItem();
        }
        return agents.lockForChange(tx, new Long[] { agentId }).invoke(locked -> {
            Row agent = locked.get(agentId);
            if (agent == null) {
                throw noAgent(agentId);
            }
            ApiException stale = staleVersion(agentId, agent, expectedVersion);
            if (stale != null) {
                throw stale;
            }
        }).replaceWithVoid();
    }

    /** The refusal of a change made against a stale version of the agent (a row of {@link AgentRepository#lockForChange}). */
    static ApiException staleVersion(long agentId, Row agent, Integer expectedVersion) {
        String now = agent.getBoolean("signed_in")
                ? ", in '" + agent.getString("name") + "' (cause " + agent.getString("presence_cause") + ")"
                : ", signed out";
        return Inputs.staleVersion("Agent " + agentId, agent.getInteger("version"), expectedVersion, now);
    }

    private static Agent existing(Agent agent, long id) {
        if (agent == null) {
            throw noAgent(id);
        }
        return agent;
    }

    static ApiException noAgent(long id) {
        return ApiException.notFound("No agent with id " + id + ".");
    }

    private Uni<Void> checkReferences(SqlClient tx, AgentInput in) {
        Uni<Void> presence = in.defaultPresenceId == null ? Uni.createFrom().voidItem()
                : tx.preparedQuery("SELECT system_presence FROM presence WHERE id = $1 AND deleted_at IS NULL FOR SHARE")
                        .execute(Tuple.of(in.defaultPresenceId))
                        .invoke(rows -> {
                            if (rows.size() == 0) {
                                throw ApiException.badInput("defaultPresenceId " + in.defaultPresenceId
                                        + " is not a presence; list them with the presences query.");
                            }
                            if (SystemPresence.INACTIVE.name().equals(rows.iterator().next().getString(0))) {
                                throw ApiException.badInput("Inactive cannot be a default presence; choose an agent-selectable one.");
                            }
                        }).replaceWithVoid();
        if (in.workstreamIds == null || in.workstreamIds.isEmpty()) {
            return presence;
        }
        return presence.chain(() -> tx.preparedQuery("SELECT array_agg(w) FROM unnest($1::bigint[]) AS w WHERE w NOT IN (SELECT id FROM workstream)")
                .execute(Tuple.of(in.workstreamIds.toArray(Long[]::new)))
                .invoke(rows -> {
                    Object missing = rows.iterator().next().getValue(0);
                    if (missing != null) {
                        throw ApiException.badInput("workstreamIds contains unknown workstreams " + java.util.Arrays.toString((Object[]) missing)
                                + "; list them with the workstreams query.");
                    }
                }).replaceWithVoid());
    }

    /** {@code defaultCapacity}: what a left-out capacity becomes (null on update: the current value stays). */
    static AgentInput validated(AgentInput input, Integer defaultCapacity) {
        String userId = Inputs.text("userId", input.userId, 1, MAX_NAME);
        String name = Inputs.text("name", input.name, 1, MAX_NAME);
        List<Long> workstreams = input.workstreamIds == null ? null : input.workstreamIds.stream().distinct().toList();
        Integer capacity = input.capacity == null && defaultCapacity == null ? null
                : Inputs.number("capacity", input.capacity, defaultCapacity == null ? 0 : defaultCapacity, 0, MAX_CAPACITY);
        return new AgentInput(userId, name, input.defaultPresenceId, workstreams, capacity);
    }
}
