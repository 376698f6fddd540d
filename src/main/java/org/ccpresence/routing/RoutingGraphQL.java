package org.ccpresence.routing;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.ccpresence.agent.Agent;
import org.ccpresence.agent.AgentService;
import org.ccpresence.error.ApiException;
import org.ccpresence.workstream.Workstream;
import org.ccpresence.workstream.WorkstreamService;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

import io.smallrye.graphql.api.Subscription;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

@GraphQLApi
public class RoutingGraphQL {

    /** More eligible agents than a screen can show are of no use to a person; routing never needs the list. */
    static final int MAX_ELIGIBLE_LISTED = 1000;

    private final RoutingService routing;
    private final OfferFeed feed;
    private final AgentService agents;
    private final WorkstreamService workstreams;

    RoutingGraphQL(RoutingService routing, OfferFeed feed, AgentService agents, WorkstreamService workstreams) {
        this.routing = routing;
        this.feed = feed;
        this.agents = agents;
        this.workstreams = workstreams;
    }

    @Query
    @NonNull
    @Description("Newest first, at most 1000.")
    public Uni<List<@NonNull Offer>> offers(@Id Long agentId, String workItem, OfferState state) {
        return routing.list(agentId, workItem, state);
    }

    @Mutation
    @NonNull
    @Description("Routes a work item to one eligible agent of the workstream and starts its response timer.")
    public Uni<Offer> offerWork(@NonNull @Id long workstreamId, @NonNull String workItem) {
        return routing.offerWork(workstreamId, workItem);
    }

    @Mutation
    @NonNull
    public Uni<Offer> acceptOffer(@NonNull @Id long offerId) {
        return routing.accept(offerId);
    }

    @Mutation
    @NonNull
    public Uni<Offer> rejectOffer(@NonNull @Id long offerId) {
        return routing.reject(offerId);
    }

    @Subscription
    @NonNull
    @Description("Offers as they are made to, and answered or expired for, an agent (default: the caller's own).")
    public Multi<Offer> offerUpdates(@Id Long agentId) {
        if (agentId == null) {
            throw ApiException.badInput("agentId is required (it defaults to your own agent once requests are authenticated).");
        }
        return feed.updates(agentId);
    }

    @NonNull
    @Description("Agents of this workstream who are signed in and whose base status is allowed, with no pending offer.")
    public Uni<List<@NonNull Agent>> eligibleAgents(@Source Workstream workstream) {
        return routing.eligibleAgentIds(workstream.id, MAX_ELIGIBLE_LISTED)
                .chain(ids -> ids.isEmpty() ? Uni.createFrom().item(List.<Agent>of()) : agents.findAll(ids).map(found -> {
                    Map<Long, Agent> byId = found.stream().collect(Collectors.toMap(a -> a.id, Function.identity()));
                    return ids.stream().map(byId::get).filter(java.util.Objects::nonNull).toList();
                }));
    }

    @NonNull
    public Uni<List<@NonNull Workstream>> workstream(@Source List<Offer> batch) {
        List<Long> ids = batch.stream().map(o -> o.workstreamId).distinct().toList();
        return workstreams.findAll(ids).map(found -> {
            Map<Long, Workstream> byId = found.stream().collect(Collectors.toMap(w -> w.id, Function.identity()));
            return batch.stream().map(o -> byId.get(o.workstreamId)).toList();
        });
    }

    @NonNull
    public Uni<List<@NonNull Agent>> agent(@Source List<Offer> batch) {
        List<Long> ids = batch.stream().map(o -> o.agentId).distinct().toList();
        return agents.findAll(ids).map(found -> {
            Map<Long, Agent> byId = found.stream().collect(Collectors.toMap(a -> a.id, Function.identity()));
            return batch.stream().map(o -> byId.get(o.agentId)).toList();
        });
    }
}
