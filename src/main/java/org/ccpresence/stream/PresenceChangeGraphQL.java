package org.ccpresence.stream;

import java.time.OffsetDateTime;
import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import org.ccpresence.agent.AgentAccess;
import org.ccpresence.api.ConnectionSubscriptions;
import org.ccpresence.api.Pacer;
import org.ccpresence.security.Caller;
import org.ccpresence.security.CallerContext;
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
    private final CallerContext callers;
    private final ConnectionSubscriptions subscriptions;

    PresenceChangeGraphQL(PresenceStream stream, AgentAccess access, CallerContext callers,
            ConnectionSubscriptions subscriptions) {
        this.stream = stream;
        this.access = access;
        this.callers = callers;
        this.subscriptions = subscriptions;
    }

    @Query
    @NonNull
    @Description("Newest first.")
    public Uni<List<@NonNull PresenceChange>> presenceHistory(@NonNull @Id long agentId, OffsetDateTime from,
            OffsetDateTime to, Integer first) {
        return access.target(agentId).chain(target -> stream.history(target.agentId(), from, to, first));
    }

    private record Allowed(Caller caller, List<Long> agentIds) {
    }

    @Subscription
    @NonNull
    @Description("Live presence changes, filtered. With afterSequence, first every stored change after it, then live, "
            + "with no gap and no duplicate.")
    public Multi<PresenceChange> presenceChanged(List<String> agentIds, @Id Long workstreamId,
            @Id String afterSequence) {
        // agentIds is served as [ID!] (see IdListArguments); the stream parses the ids.
        List<Long> requested = stream.agentIds(agentIds);
        Long resumeAfter = stream.resumePoint(afterSequence);
        Pacer pacer = subscriptions.pacer();
        return subscriptions.open(callers.caller()
                .chain(caller -> access.visibleAgents(requested).map(visible -> new Allowed(caller, visible)))
                .onItem().transformToMulti(allowed -> callers.untilTokenExpires(allowed.caller(),
                        stream.changes(allowed.agentIds(), workstreamId, resumeAfter, pacer))));
    }
}
