package org.ccpresence.stream;

import java.time.OffsetDateTime;
import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import org.ccpresence.agent.AgentAccess;
import org.ccpresence.graphql.GraphQLWebSocket;
import org.ccpresence.security.Roles;

import io.smallrye.graphql.api.Subscription;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;

@GraphQLApi
@RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT })
public class PresenceChangeGraphQL {

    private final PresenceStream stream;
    private final AgentAccess access;

    PresenceChangeGraphQL(PresenceStream stream, AgentAccess access) {
        this.stream = stream;
        this.access = access;
    }

    @Query
    @NonNull
    @Description("Newest first.")
    public Uni<List<@NonNull PresenceChange>> presenceHistory(@NonNull @Id long agentId, OffsetDateTime from,
            OffsetDateTime to, Integer first) {
        return access.target(agentId).chain(target -> stream.history(target.agentId(), from, to, first));
    }

    @Query
    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR })
    @Description("The newest change of any agent (null before the first): where a client that reads the whole floor "
            + "resumes presenceChanged (afterSequence) without a gap.")
    public Uni<PresenceChange> latestPresenceChange() {
        return stream.latest();
    }

    /** Declares the field; subscriptions are served over WebSocket by {@link PresenceChangeLive}. */
    @Subscription
    @NonNull
    @Description("Live presence changes, filtered. With afterSequence, first every stored change after it, then live, "
            + "with no gap and no duplicate.")
    public Multi<PresenceChange> presenceChanged(List<String> agentIds, @Id Long workstreamId, @Id String afterSequence) {
        return GraphQLWebSocket.onlyOverWebSocket();
    }
}
