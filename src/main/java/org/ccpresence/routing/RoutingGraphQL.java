package org.ccpresence.routing;

import java.util.List;

import org.ccpresence.agent.Agent;
import org.ccpresence.agent.AgentAccess;
import org.ccpresence.agent.AgentService;
import org.ccpresence.graphql.Batches;
import org.ccpresence.graphql.GraphQLWebSocket;
import org.ccpresence.error.ApiException;
import org.ccpresence.security.Roles;
import org.ccpresence.workstream.Workstream;
import org.ccpresence.workstream.WorkstreamService;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

import io.smallrye.graphql.api.Subscription;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;

@GraphQLApi
@RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT })
public class RoutingGraphQL {

    /** More eligible agents than a screen can show are of no use to a person; routing never needs the list. */
    static final int MAX_ELIGIBLE_LISTED = 1000;

    private final RoutingService routing;
    private final AgentService agents;
    private final WorkstreamService workstreams;
    private final AgentAccess access;

    RoutingGraphQL(RoutingService routing, AgentService agents, WorkstreamService workstreams, AgentAccess access) {
        this.routing = routing;
        this.agents = agents;
        this.workstreams = workstreams;
        this.access = access;
    }

    @Query
    @NonNull
    @Description("Newest first, at most 1000.")
    public Uni<List<@NonNull Offer>> offers(@Id Long agentId, String workItem, OfferState state) {
        return access.visibleAgents(agentId == null ? null : List.of(agentId))
                .chain(visible -> routing.list(visible == null ? null : visible.get(0), workItem, state));
    }

    @Mutation
    @NonNull
    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR })
    @Description("Routes a work item to one eligible agent of the workstream and starts its response timer.")
    public Uni<Offer> offerWork(@NonNull @Id long workstreamId, @NonNull String workItem) {
        return routing.offerWork(workstreamId, workItem);
    }

    @Mutation
    @NonNull
    public Uni<Offer> acceptOffer(@NonNull @Id long offerId) {
        return answerable(offerId).chain(() -> routing.accept(offerId));
    }

    @Mutation
    @NonNull
    @Description("Rejects a pending offer, optionally saying why (at most 200 characters); the item goes to the next "
            + "eligible agent, and the workstream's presenceAfterReject, if set, moves the agent.")
    public Uni<Offer> rejectOffer(@NonNull @Id long offerId, String reason) {
        return answerable(offerId).chain(() -> routing.reject(offerId, reason));
    }

    @Mutation
    @NonNull
    @Description("Ends the work of an ACCEPTED offer and frees the capacity it held; with wrap-up, starts it (WRAP_UP), and on a WRAP_UP offer ends it early.")
    public Uni<Offer> completeWork(@NonNull @Id long offerId) {
        return answerable(offerId).chain(() -> routing.complete(offerId));
    }

    /** Only the offered agent, or a supervisor or administrator, answers (and completes) an offer. */
    private Uni<Void> answerable(long offerId) {
        return routing.find(offerId).chain(offer -> offer == null
                ? Uni.createFrom().failure(ApiException.notFound("No offer with id " + offerId + "."))
                : access.target(offer.agentId).replaceWithVoid());
    }

    /** Declares the field; subscriptions are served over WebSocket by {@link OfferUpdatesLive}. */
    @Subscription
    @NonNull
    @Description("Offers as they are made to, and answered or expired for, an agent (default: the caller's own).")
    public Multi<Offer> offerUpdates(@Id Long agentId) {
        return GraphQLWebSocket.onlyOverWebSocket();
    }

    @NonNull
    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR })
    @Description("Agents of this workstream who are signed in and whose base status is allowed, with no pending offer.")
    public Uni<List<@NonNull Agent>> eligibleAgents(@Source Workstream workstream) {
        return routing.eligibleAgentIds(workstream.id, MAX_ELIGIBLE_LISTED)
                .chain(ids -> ids.isEmpty() ? Uni.createFrom().item(List.<Agent>of()) : agents.findAll(ids)
                        .map(found -> Batches.inOrder(ids, id -> id, found, a -> a.id).stream()
                                .filter(java.util.Objects::nonNull).toList()));
    }

    @NonNull
    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR })
    @Description("Every member of the workstream now: the eligible ones first, in routing order (ahead 0, 1, …), then the "
            + "others with their reasons.")
    public Uni<List<@NonNull Eligibility>> eligibility(@Source Workstream workstream) {
        return routing.eligibility(workstream.id);
    }

    @NonNull
    @Description("Whether the agent can be offered the workstream's work now, and every reason why not.")
    public Uni<Eligibility> eligibility(@Source Agent agent, @NonNull @Id long workstreamId) {
        return access.target(agent.id).chain(() -> routing.eligibility(workstreamId, agent.id));
    }

    @Description("The latest wrapUpUntil of the agent's WRAP_UP offers; null when not wrapping up.")
    public Uni<List<java.time.OffsetDateTime>> wrapUpUntil(@Source List<Agent> batch) {
        return routing.wrapUpUntil(batch.stream().map(a -> a.id).toList());
    }

    @Name("agent")
    @NonNull
    public Uni<List<@NonNull Agent>> eligibilityAgent(@Source List<Eligibility> batch) {
        return Batches.referenced(batch, e -> e.agentId, agents::findAll, a -> a.id);
    }

    @Name("workstream")
    @NonNull
    public Uni<List<@NonNull Workstream>> eligibilityWorkstream(@Source List<Eligibility> batch) {
        return Batches.referenced(batch, e -> e.workstreamId, workstreams::findAll, w -> w.id);
    }

    @NonNull
    public Uni<List<@NonNull Workstream>> workstream(@Source List<Offer> batch) {
        return workstreams.findAll(batch.stream().map(o -> o.workstreamId).distinct().toList())
                .map(found -> Batches.inOrder(batch, o -> o.workstreamId, found, w -> w.id));
    }

    @NonNull
    public Uni<List<@NonNull Agent>> agent(@Source List<Offer> batch) {
        return agents.findAll(batch.stream().map(o -> o.agentId).distinct().toList())
                .map(found -> Batches.inOrder(batch, o -> o.agentId, found, a -> a.id));
    }
}
