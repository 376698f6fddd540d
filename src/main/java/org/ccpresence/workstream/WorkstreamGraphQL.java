package org.ccpresence.workstream;

import java.util.List;

import org.ccpresence.agent.Agent;
import org.ccpresence.agent.AgentService;
import org.ccpresence.presence.Presence;
import org.ccpresence.presence.PresenceService;
import org.ccpresence.graphql.GivenFields;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

import org.ccpresence.security.Roles;

import io.smallrye.graphql.api.Context;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;

@GraphQLApi
@RolesAllowed(Roles.ADMIN)
public class WorkstreamGraphQL {

    private final WorkstreamService workstreams;
    private final AgentService agents;
    private final Context context;
    private final PresenceService presences;

    WorkstreamGraphQL(WorkstreamService workstreams, AgentService agents, Context context, PresenceService presences) {
        this.presences = presences;
        this.workstreams = workstreams;
        this.agents = agents;
        this.context = context;
    }

    @Query
    @NonNull
    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT })
    public Uni<List<@NonNull Workstream>> workstreams() {
        return workstreams.list();
    }

    @Query
    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT })
    public Uni<Workstream> workstream(@NonNull @Id long id) {
        return workstreams.find(id);
    }

    @Mutation
    @NonNull
    public Uni<Workstream> createWorkstream(@NonNull WorkstreamInput input) {
        input.given = GivenFields.of(context, "input");
        return workstreams.create(input);
    }

    @Mutation
    @NonNull
    @Description("With expectedVersion, refused (CONFLICT) unless it is the current version.")
    public Uni<Workstream> updateWorkstream(@NonNull @Id long id, @NonNull WorkstreamInput input, Integer expectedVersion) {
        input.given = GivenFields.of(context, "input");
        return workstreams.update(id, input, expectedVersion);
    }

    @Mutation
    @NonNull
    @Id
    public Uni<Long> deleteWorkstream(@NonNull @Id long id, Integer expectedVersion) {
        return workstreams.delete(id, expectedVersion);
    }

    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT })
    @Description("Where an agent who rejects an offer of this workstream is moved (cause OFFER_REJECTED); null: the presence stays.")
    public Uni<List<Presence>> presenceAfterReject(@Source List<Workstream> batch) {
        return presences.referencedBy(batch, w -> w.presenceAfterRejectId);
    }

    @NonNull
    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR })
    public Uni<List<@NonNull List<@NonNull Agent>>> agents(@Source List<Workstream> batch) {
        return agents.membersOf(batch.stream().map(w -> w.id).toList());
    }

    @NonNull
    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT })
    @Description("The workstreams this agent belongs to.")
    public Uni<List<@NonNull List<@NonNull Workstream>>> workstreams(@Source List<Agent> batch) {
        return workstreams.ofAgents(batch.stream().map(a -> a.id).toList());
    }
}
