package org.ccpresence.webhooks;

import java.net.URI;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.error.ApiException;
import org.ccpresence.error.Inputs;
import org.ccpresence.stream.ChangeRetention;
import org.ccpresence.workstream.WorkstreamService;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/** Registering webhooks (contract, "Webhooks"); delivering them is {@link WebhookSender}'s. */
@ApplicationScoped
public class WebhookService {

    private final Pool pool;
    private final WebhookRepository webhooks;
    private final WebhookTargets targets;
    private final WorkstreamService workstreams;
    private final ChangeRetention retention;
    private final WebhookSender sender;

    WebhookService(Pool pool, WebhookRepository webhooks, WebhookTargets targets, WorkstreamService workstreams,
            ChangeRetention retention, WebhookSender sender) {
        this.retention = retention;
        this.sender = sender;
        this.pool = pool;
        this.webhooks = webhooks;
        this.targets = targets;
        this.workstreams = workstreams;
    }

    public Uni<List<Webhook>> list() {
        return webhooks.list(pool);
    }

    public Uni<Webhook> create(WebhookInput input) {
        if (input.secret == null) {
            throw ApiException.badInput("secret is required on create: whsec_ followed by the base64 of 24 to 64 random bytes.");
        }
        String secret = WebhookSignature.checkedSecret(input.secret);
        URI url = WebhookTargets.parse(input.url);
        boolean enabled = input.enabled == null || input.enabled;
        return checked(url, input.workstreamId)
                .chain(() -> webhooks.insert(pool, url.toString(), secret, input.workstreamId, enabled))
                .invoke(sender::claimSoon);
    }

    public Uni<Webhook> update(long id, WebhookInput input, Integer expectedVersion) {
        String secret = input.given.contains("secret") ? WebhookSignature.checkedSecret(input.secret) : null;
        URI url = WebhookTargets.parse(input.url);
        boolean keepWorkstream = !input.given.contains("workstreamId");
        Long workstreamId = keepWorkstream ? null : input.workstreamId;
        return checked(url, workstreamId).chain(() -> pool.withTransaction(tx -> webhooks.findForUpdate(tx, id).chain(current -> {
            if (current == null) {
                return Uni.createFrom().failure(notFound(id));
            }
            Inputs.expectVersion("Webhook " + id, current.version, expectedVersion, "");
            return webhooks.update(tx, id, url.toString(), secret, keepWorkstream, workstreamId, input.enabled);
        }))).invoke(sender::claimSoon);
    }

    public Uni<Long> delete(long id) {
        return webhooks.delete(pool, id).map(deleted -> {
            if (!deleted) {
                throw notFound(id);
            }
            return id;
        });
    }

    public Uni<Webhook> replay(long id, long afterSequence) {
        return retention.checkResume(afterSequence).chain(() -> webhooks.replay(pool, id, afterSequence)).map(replayed -> {
            if (replayed == null) {
                throw notFound(id);
            }
            return replayed;
        }).invoke(sender::claimSoon);
    }

    /** The target resolves to an address webhooks may use, and the filter names a workstream that exists. */
    private Uni<Void> checked(URI url, Long workstreamId) {
        Uni<Void> workstream = workstreamId == null ? Uni.createFrom().voidItem()
                : workstreams.find(workstreamId).invoke(found -> {
                    if (found == null) {
                        throw ApiException.badInput("workstreamId " + workstreamId + " names no workstream; list them with "
                                + "the workstreams query, or leave it out to receive every agent's changes.");
                    }
                }).replaceWithVoid();
        return workstream.chain(() -> targets.resolve(url)).replaceWithVoid();
    }

    static ApiException notFound(long id) {
        return ApiException.notFound("No webhook with id " + id + "; list them with the webhooks query.");
    }
}
