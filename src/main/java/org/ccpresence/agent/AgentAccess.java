package org.ccpresence.agent;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.error.ApiException;
import org.ccpresence.security.Caller;
import org.ccpresence.security.CallerContext;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Which agent an operation acts on, for the caller: supervisors and administrators may name any agent; an agent acts
 * only on themselves (the agent whose userId is the token's subject). Role checks themselves are declared on the
 * GraphQL operations with {@code @RolesAllowed}.
 */
@ApplicationScoped
public class AgentAccess {

    /** The agent an operation targets, and whether the caller is that agent. */
    public record Target(long agentId, boolean self, Caller caller) {
    }

    private final CallerContext callers;
    private final AgentRepository agents;
    private final Pool pool;

    AgentAccess(CallerContext callers, AgentRepository agents, Pool pool) {
        this.callers = callers;
        this.agents = agents;
        this.pool = pool;
    }

    /** The requested agent, or the caller's own agent when none is requested. */
    public Uni<Target> target(Long requested) {
        return callers.caller().chain(caller -> target(caller, requested));
    }

    public Uni<Target> target(Caller caller, Long requested) {
        return ownAgentId(caller).map(own -> {
            if (requested == null) {
                if (own == null) {
                    throw caller.actsOnAnyAgent()
                            ? ApiException.badInput("Name the agent (agentId): no agent has your userId '" + caller.subject() + "'.")
                            : noOwnAgent(caller);
                }
                return new Target(own, true, caller);
            }
            boolean self = requested.equals(own);
            if (!self && !caller.actsOnAnyAgent()) {
                throw ApiException.forbidden("Agents may act only on themselves; agent " + requested + " is not yours.");
            }
            return new Target(requested, self, caller);
        });
    }

    /** For filters: the agents the caller may see, narrowed to the requested ones (null: all, for supervisors). */
    public Uni<List<Long>> visibleAgents(List<Long> requested) {
        return callers.caller().chain(caller -> visibleAgents(caller, requested));
    }

    public Uni<List<Long>> visibleAgents(Caller caller, List<Long> requested) {
        if (caller.actsOnAnyAgent()) {
            return Uni.createFrom().item(requested);
        }
        return ownAgentId(caller).map(own -> {
            if (own == null) {
                throw noOwnAgent(caller);
            }
            if (requested != null && !requested.equals(List.of(own))) {
                throw ApiException.forbidden("Agents may follow only their own agent (" + own + ").");
            }
            return List.of(own);
        });
    }

    public Uni<Agent> me() {
        return callers.caller().chain(caller -> agents.findByUserId(pool, caller.subject()));
    }

    private Uni<Long> ownAgentId(Caller caller) {
        return agents.findByUserId(pool, caller.subject()).map(agent -> agent == null ? null : agent.id);
    }

    private static ApiException noOwnAgent(Caller caller) {
        return ApiException.forbidden("No agent has your userId '" + caller.subject() + "'; ask an administrator to create one.");
    }
}
