package org.ccpresence.reports;

import java.time.OffsetDateTime;
import java.util.List;

import org.ccpresence.security.CallerContext;
import org.ccpresence.security.Roles;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;

@GraphQLApi
@RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR })
public class ReportsGraphQL {

    private final ReportService reports;
    private final CallerContext callers;

    ReportsGraphQL(ReportService reports, CallerContext callers) {
        this.reports = reports;
        this.callers = callers;
    }

    @Query
    @NonNull
    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT })
    @Description("Time per base status and presence between from and to (at most 31 days; counted up to now), one row "
            + "per agent in id order, keyset-paginated.")
    public Uni<List<@NonNull PresenceSummary>> presenceSummary(@NonNull OffsetDateTime from, @NonNull OffsetDateTime to,
            List<String> agentIds, @Id Long workstreamId, Integer first, @Id Long after) {
        return callers.caller().chain(caller -> reports.presenceSummary(caller, from, to,
                agentIds == null ? null : agentIds.stream().map(Long::valueOf).toList(), workstreamId, first, after));
    }

    @Query
    @NonNull
    @Description("Every agent that existed at that past moment, as they were, in id order, keyset-paginated.")
    public Uni<List<@NonNull AgentAt>> floorAt(@NonNull OffsetDateTime at, @Id Long workstreamId, Integer first, @Id Long after) {
        return callers.caller().chain(caller -> reports.floorAt(caller, at, workstreamId, first, after));
    }
}
