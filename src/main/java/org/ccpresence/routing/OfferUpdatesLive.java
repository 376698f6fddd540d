package org.ccpresence.routing;

import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.agent.AgentAccess;
import org.ccpresence.agent.AgentService;
import org.ccpresence.graphql.EventSink;
import org.ccpresence.graphql.LiveField;
import org.ccpresence.security.Caller;
import org.ccpresence.security.Roles;
import org.ccpresence.workstream.WorkstreamService;

import graphql.schema.DataFetcher;
import graphql.schema.FieldCoordinates;
import io.smallrye.mutiny.Uni;

/** offerUpdates over WebSocket: the offers of one agent (the caller's own unless a supervisor names another). */
@ApplicationScoped
class OfferUpdatesLive implements LiveField {

    private final OfferFeed feed;
    private final AgentAccess access;
    private final AgentService agents;
    private final WorkstreamService workstreams;

    OfferUpdatesLive(OfferFeed feed, AgentAccess access, AgentService agents, WorkstreamService workstreams) {
        this.feed = feed;
        this.access = access;
        this.agents = agents;
        this.workstreams = workstreams;
    }

    @Override
    public String name() {
        return "offerUpdates";
    }

    @Override
    public Set<String> filterArguments() {
        return Set.of("agentId");
    }

    /** An offer's workstream and agent, looked up once per rendering (so once per shape and offer). */
    @Override
    public Map<FieldCoordinates, DataFetcher<?>> fetchers() {
        DataFetcher<Object> workstream = env -> workstreams.findAll(List.of(env.<Offer>getSource().workstreamId))
                .map(found -> found.isEmpty() ? null : found.get(0)).subscribeAsCompletionStage();
        DataFetcher<Object> agent = env -> agents.findAll(List.of(env.<Offer>getSource().agentId))
                .map(found -> found.isEmpty() ? null : found.get(0)).subscribeAsCompletionStage();
        return Map.of(FieldCoordinates.coordinates("Offer", "workstream"), workstream,
                FieldCoordinates.coordinates("Offer", "agent"), agent);
    }

    @Override
    public Uni<Runnable> open(Caller caller, Map<String, Object> arguments, EventSink sink) {
        caller.requireAnyRole(Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT);
        return access.target(caller, LiveField.id(arguments, "agentId"))
                .map(target -> feed.open(target.agentId(), sink));
    }
}
