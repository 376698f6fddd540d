package org.ccpresence.agent;

import java.util.List;

import org.ccpresence.presence.Presence;
import org.ccpresence.presence.PresenceService;
import org.ccpresence.security.Roles;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;

@GraphQLApi
@RolesAllowed(Roles.ADMIN)
public class AgentGraphQL {

    private final AgentService agents;
    private final AgentAccess access;
    private final PresenceService presences;

    AgentGraphQL(AgentService agents, AgentAccess access, PresenceService presences) {
        this.agents = agents;
        this.access = access;
        this.presences = presences;
    }

    @Query
    @NonNull
    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR })
    @Description("Keyset pagination in id order: pass the last id you saw as `after`.")
    public Uni<List<@NonNull Agent>> agents(AgentFilter filter, Integer first, @Id Long after) {
        return agents.page(filter, first, after);
    }

    @Query
    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT })
    public Uni<Agent> agent(@NonNull @Id long id) {
        return access.target(id).chain(target -> agents.find(target.agentId()));
    }

    @Query
    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT })
    @Description("The agent whose userId is the caller's token subject.")
    public Uni<Agent> me() {
        return access.me();
    }

    @Mutation
    @NonNull
    public Uni<Agent> createAgent(@NonNull AgentInput input) {
        return agents.create(input);
    }

    @Mutation
    @NonNull
    public Uni<Agent> updateAgent(@NonNull @Id long id, @NonNull AgentInput input) {
        return agents.update(id, input);
    }

    @Mutation
    @NonNull
    @Id
    public Uni<Long> deleteAgent(@NonNull @Id long id) {
        return agents.delete(id);
    }

    @Mutation
    @NonNull
    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT })
    @Description("agentId defaults to the caller's own agent. With expectedVersion, refused (CONFLICT) unless it is the agent's current version.")
    public Uni<Agent> signIn(@Id Long agentId, Integer expectedVersion) {
        return access.target(agentId).chain(target -> agents.signIn(target.agentId(), expectedVersion));
    }

    @Mutation
    @NonNull
    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT })
    public Uni<Agent> signOut(@Id Long agentId, Integer expectedVersion) {
        return access.target(agentId).chain(target -> agents.signOut(target.agentId(), expectedVersion));
    }

    @Mutation("setPresence")
    @NonNull
    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT })
    public Uni<Agent> setPresence(@NonNull @Id long presenceId, @Id Long agentId, Integer expectedVersion) {
        return access.target(agentId).chain(target -> agents.setPresence(target.agentId(), presenceId,
                target.self() ? PresenceChangeCause.AGENT : PresenceChangeCause.SUPERVISOR, expectedVersion));
    }

    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT })
    @Description("Set at sign-in; null means Available.")
    public Uni<List<Presence>> defaultPresence(@Source List<Agent> batch) {
        return presences.referencedBy(batch, a -> a.defaultPresenceId);
    }
}
