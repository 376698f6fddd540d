package org.ccpresence.presence;

import java.time.OffsetDateTime;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.error.ApiException;
import org.ccpresence.graphql.Batches;
import org.ccpresence.error.Inputs;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/** The presence catalog: the six system presences and the custom ones administrators manage. */
@ApplicationScoped
public class PresenceService {

    static final int MAX_NAME = 100;
    static final int MAX_TEXT = 500;
    static final int MAX_DESCRIPTION = 500;

    private final PresenceRepository presences;

    PresenceService(PresenceRepository presences) {
        this.presences = presences;
    }

    @WithSession
    public Uni<List<Presence>> list() {
        return presences.listLive();
    }

    @WithSession
    public Uni<Presence> find(long id) {
        return presences.findLive(id);
    }

    /** Presences by id, deleted ones included (agents and history may still refer to them). */
    @WithSession
    public Uni<List<Presence>> findAll(List<Long> ids) {
        return presences.list("id in ?1", ids);
    }

    /** The presence each item of a batch refers to (null where it refers to none), in batch order, in one query. */
    @WithSession
    public <S> Uni<List<Presence>> referencedBy(List<S> batch, java.util.function.Function<S, Long> presenceId) {
        return Batches.referenced(batch, presenceId, this::findAll, p -> p.id);
    }

    @WithTransaction
    public Uni<Presence> create(PresenceInput input) {
        PresenceInput valid = validated(input);
        TimeLimit limit = TimeLimit.of(valid, null);
        return limit.check(presences, null).chain(() -> {
            Presence presence = new Presence();
            apply(valid, limit, presence);
            presence.createdAt = presence.updatedAt;
            return presences.persistAndFlush(presence);
        });
    }

    @WithTransaction
    public Uni<Presence> update(long id, PresenceInput input, Integer expectedVersion) {
        PresenceInput valid = validated(input);
        return editable(presences.findLiveForUpdate(id), id, "edited", expectedVersion)
                .call(presence -> TimeLimit.of(valid, presence).check(presences, presence)
                        .invoke(() -> {
                            apply(valid, TimeLimit.of(valid, presence), presence);
                            presence.version++;
                        }))
                .call(presences::flush);
    }

    @WithTransaction
    public Uni<Long> delete(long id, Integer expectedVersion) {
        return editable(presences.findLiveForUpdate(id), id, "deleted", expectedVersion)
                .call(presence -> presences.countAgentsUsing(presence.id).invoke(count -> {
                    if (count > 0) {
                        throw ApiException.conflict("Presence '" + presence.name + "' is the current or default presence of "
                                + count + " agent(s); move them to another presence first.");
                    }
                }))
                .call(presence -> presences.namingAsThen(presence.id).invoke(naming -> {
                    if (!naming.isEmpty()) {
                        throw ApiException.conflict("Presence '" + presence.name + "' is where " + names(naming)
                                + " moves agents when its time is up; change that first.");
                    }
                }))
                .call(presence -> presences.workstreamsRejectingTo(presence.id).invoke(naming -> {
                    if (!naming.isEmpty()) {
                        throw ApiException.conflict("Presence '" + presence.name + "' is where workstream(s) "
                                + String.join(", ", naming) + " move agents who reject an offer (presenceAfterReject); change that first.");
                    }
                }))
                .invoke(presence -> presence.deletedAt = OffsetDateTime.now())
                .call(presences::flush)
                .map(presence -> presence.id);
    }

    private static Uni<Presence> editable(Uni<Presence> lookup, long id, String verb, Integer expectedVersion) {
        return lookup.invoke(presence -> {
            if (presence == null) {
                throw ApiException.notFound("No presence with id " + id + "; list them with the presences query.");
            }
            if (presence.systemPresence != null) {
                throw ApiException.forbidden("'" + presence.name + "' is a system presence and cannot be " + verb
                        + "; create a custom presence instead.");
            }
            Inputs.expectVersion("Presence '" + presence.name + "'", presence.version, expectedVersion, "");
        });
    }

    private static void apply(PresenceInput input, TimeLimit limit, Presence presence) {
        presence.name = input.name;
        presence.presenceText = input.presenceText;
        presence.baseStatus = input.baseStatus;
        presence.description = input.description;
        presence.timeLimitSeconds = limit.seconds();
        presence.thenPresenceId = limit.then();
        presence.updatedAt = OffsetDateTime.now();
    }

    static String names(List<Presence> list) {
        return list.stream().map(p -> "'" + p.name + "'").collect(java.util.stream.Collectors.joining(", "));
    }

    static PresenceInput validated(PresenceInput input) {
        String name = Inputs.text("name", input.name, 1, MAX_NAME);
        String text = Inputs.text("presenceText", input.presenceText, 1, MAX_TEXT);
        String description = Inputs.text("description", input.description, 0, MAX_DESCRIPTION);
        if (input.baseStatus == null) {
            throw ApiException.badInput("baseStatus is required: one of AVAILABLE, BUSY, BUSY_DND, AWAY, OFFLINE.");
        }
        PresenceInput valid = new PresenceInput(name, text, input.baseStatus, description.isEmpty() ? null : description);
        valid.timeLimitSeconds = input.timeLimitSeconds;
        valid.thenPresenceId = input.thenPresenceId;
        valid.given = input.given;
        return valid;
    }
}
