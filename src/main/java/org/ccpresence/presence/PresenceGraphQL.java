package org.ccpresence.presence;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

import org.ccpresence.graphql.GivenFields;
import org.ccpresence.security.Roles;

import io.smallrye.graphql.api.Context;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;

@GraphQLApi
@RolesAllowed(Roles.ADMIN)
public class PresenceGraphQL {

    private final PresenceService service;
    private final Context context;

    PresenceGraphQL(PresenceService service, Context context) {
        this.service = service;
        this.context = context;
    }

    @Query
    @NonNull
    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT })
    public Uni<List<@NonNull Presence>> presences() {
        return service.list();
    }

    @Query
    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT })
    public Uni<Presence> presence(@NonNull @Id long id) {
        return service.find(id);
    }

    @Query
    @NonNull
    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT })
    @Description("Warnings for a presence before it is saved, e.g. a text that reads like another base status.")
    public List<@NonNull String> presenceWarnings(@NonNull PresenceInput input) {
        return PresenceWarnings.of(input.presenceText, input.baseStatus);
    }

    @NonNull
    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT })
    @Description("Legal but probably mistaken: e.g. a presence text that reads like another base status.")
    public List<@NonNull String> warnings(@Source Presence presence) {
        return PresenceWarnings.of(presence.presenceText, presence.baseStatus);
    }

    @RolesAllowed({ Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT })
    @Description("Where a time-limited presence moves the agent; null: the agent's default presence, or Available.")
    public Uni<List<Presence>> thenPresence(@Source List<Presence> batch) {
        return service.referencedBy(batch, p -> p.thenPresenceId);
    }

    @Mutation
    @NonNull
    public Uni<Presence> createPresence(@NonNull PresenceInput input) {
        input.given = GivenFields.of(context, "input");
        return service.create(input);
    }

    @Mutation
    @NonNull
    @Description("With expectedVersion, refused (CONFLICT) unless it is the current version.")
    public Uni<Presence> updatePresence(@NonNull @Id long id, @NonNull PresenceInput input, Integer expectedVersion) {
        input.given = GivenFields.of(context, "input");
        return service.update(id, input, expectedVersion);
    }

    @Mutation
    @NonNull
    @Id
    @Description("Returns the id deleted.")
    public Uni<Long> deletePresence(@NonNull @Id long id, Integer expectedVersion) {
        return service.delete(id, expectedVersion);
    }
}
