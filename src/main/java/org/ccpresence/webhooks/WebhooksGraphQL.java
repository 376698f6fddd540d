package org.ccpresence.webhooks;

import java.util.List;

import org.ccpresence.graphql.GivenFields;
import org.ccpresence.security.Roles;
import org.ccpresence.workstream.Workstream;
import org.ccpresence.workstream.WorkstreamService;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

import org.ccpresence.graphql.Batches;

import io.smallrye.graphql.api.Context;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;

@GraphQLApi
@RolesAllowed(Roles.ADMIN)
public class WebhooksGraphQL {

    private final WebhookService webhooks;
    private final WorkstreamService workstreams;
    private final Context context;

    WebhooksGraphQL(WebhookService webhooks, WorkstreamService workstreams, Context context) {
        this.webhooks = webhooks;
        this.workstreams = workstreams;
        this.context = context;
    }

    @Query
    @NonNull
    public Uni<List<@NonNull Webhook>> webhooks() {
        return webhooks.list();
    }

    @Mutation
    @NonNull
    public Uni<Webhook> createWebhook(@NonNull WebhookInput input) {
        return webhooks.create(input);
    }

    @Mutation
    @NonNull
    public Uni<Webhook> updateWebhook(@NonNull @Id long id, @NonNull WebhookInput input, Integer expectedVersion) {
        input.given = GivenFields.of(context, "input");
        return webhooks.update(id, input, expectedVersion);
    }

    @Mutation
    @NonNull
    @Id
    public Uni<Long> deleteWebhook(@NonNull @Id long id) {
        return webhooks.delete(id);
    }

    @Mutation
    @NonNull
    @Description("Delivers again every stored change after afterSequence, in order, then carries on live.")
    public Uni<Webhook> replayWebhook(@NonNull @Id long id, @NonNull @Id long afterSequence) {
        return webhooks.replay(id, afterSequence);
    }

    @Description("Only changes of this workstream's agents; null: every agent.")
    public Uni<List<Workstream>> workstream(@Source List<Webhook> batch) {
        return Batches.referenced(batch, w -> w.workstreamId, workstreams::findAll, w -> w.id);
    }
}
