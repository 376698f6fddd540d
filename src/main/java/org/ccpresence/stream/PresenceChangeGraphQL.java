package org.ccpresence.stream;

import java.time.OffsetDateTime;
import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import io.smallrye.graphql.api.Subscription;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

@GraphQLApi
public class PresenceChangeGraphQL {

    private final PresenceStream stream;

    PresenceChangeGraphQL(PresenceStream stream) {
        this.stream = stream;
    }

    @Query
    @NonNull
    @Description("Newest first.")
    public Uni<List<@NonNull PresenceChange>> presenceHistory(@NonNull @Id long agentId, OffsetDateTime from,
            OffsetDateTime to, Integer first) {
        return stream.history(agentId, from, to, first);
    }

    @Subscription
    @NonNull
    @Description("Live presence changes, filtered. With afterSequence, first every stored change after it, then live, "
            + "with no gap and no duplicate.")
    public Multi<PresenceChange> presenceChanged(List<String> agentIds, @Id Long workstreamId,
            @Id String afterSequence) {
        // agentIds is served as [ID!] (see IdListArguments); the stream parses the ids.
        return stream.changes(agentIds, workstreamId, afterSequence);
    }
}
