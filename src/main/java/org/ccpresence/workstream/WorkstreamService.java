package org.ccpresence.workstream;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.error.ApiException;
import org.ccpresence.error.Inputs;
import org.ccpresence.presence.BaseStatus;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

@ApplicationScoped
public class WorkstreamService {

    static final int MAX_NAME = 100;
    static final List<BaseStatus> DEFAULT_ALLOWED = List.of(BaseStatus.AVAILABLE, BaseStatus.BUSY);
    static final int DEFAULT_TIMEOUT = 120;
    static final int MIN_TIMEOUT = 5;
    static final int MAX_TIMEOUT = 3600;
    static final int MAX_CAPACITY_PER_ITEM = 10_000;
    static final int MAX_WRAP_UP = 3600;

    private final Pool pool;
    private final WorkstreamRepository workstreams;

    WorkstreamService(Pool pool, WorkstreamRepository workstreams) {
        this.pool = pool;
        this.workstreams = workstreams;
    }

    public Uni<List<Workstream>> list() {
        return workstreams.list(pool);
    }

    public Uni<Workstream> find(long id) {
        return workstreams.find(pool, id);
    }

    public Uni<List<Workstream>> findAll(List<Long> ids) {
        return workstreams.findAll(pool, ids);
    }

    /** The workstreams of each agent of the batch, in batch order. */
    public Uni<List<List<Workstream>>> ofAgents(List<Long> agentIds) {
        return workstreams.ofAgents(pool, agentIds.toArray(Long[]::new)).map(rows -> {
            Map<Long, List<Workstream>> byAgent = rows.stream().collect(Collectors.groupingBy(
                    row -> row.getLong("agent_id"), Collectors.mapping(Workstream::fromRow, Collectors.toList())));
            return agentIds.stream().map(id -> byAgent.getOrDefault(id, List.of())).toList();
        });
    }

    public Uni<Workstream> create(WorkstreamInput input) {
        Valid v = validated(input, null);
        return pool.withTransaction(tx -> selectable(tx, v.presenceAfterRejectId())
                .chain(() -> workstreams.insert(tx, v)).chain(id -> workstreams.find(tx, id)));
    }

    public Uni<Workstream> update(long id, WorkstreamInput input, Integer expectedVersion) {
        return pool.withTransaction(tx -> workstreams.findForUpdate(tx, id).chain(current -> {
            if (current == null) {
                return Uni.createFrom().failure(notFound(id));
            }
            expectVersion(current, expectedVersion);
            Valid v = validated(input, current);
            return selectable(tx, v.presenceAfterRejectId())
                    .chain(() -> workstreams.update(tx, id, v)).chain(() -> workstreams.find(tx, id));
        }));
    }

    public Uni<Long> delete(long id, Integer expectedVersion) {
        return pool.withTransaction(tx -> workstreams.findForUpdate(tx, id).chain(current -> {
            if (current == null) {
                return Uni.createFrom().failure(notFound(id));
            }
            expectVersion(current, expectedVersion);
            return workstreams.pendingOffers(tx, id);
        }).chain(pending -> {
            if (pending > 0) {
                return Uni.createFrom().failure(ApiException.conflict("The workstream has " + pending
                        + " pending offer(s); wait until they are answered or expire, then delete it."));
            }
            return workstreams.delete(tx, id).replaceWith(id);
        }));
    }

    /** presenceAfterRejectId must name a presence agents may choose. */
    private Uni<Void> selectable(io.vertx.mutiny.sqlclient.SqlClient tx, Long presenceId) {
        if (presenceId == null) {
            return Uni.createFrom().voidItem();
        }
        return workstreams.agentSelectable(tx, presenceId).invoke(selectable -> {
            if (selectable == null) {
                throw ApiException.badInput("presenceAfterRejectId " + presenceId + " is not a presence; list them with the presences query.");
            }
            if (!selectable) {
                throw ApiException.badInput("presenceAfterRejectId may not be Inactive, which nobody chooses by hand; name a presence agents can choose.");
            }
        }).replaceWithVoid();
    }

    public static ApiException notFound(long id) {
        return ApiException.notFound("No workstream with id " + id + "; list them with the workstreams query.");
    }

    private static void expectVersion(Workstream current, Integer expectedVersion) {
        Inputs.expectVersion("Workstream '" + current.name + "'", current.version, expectedVersion, "");
    }

    record Valid(String name, WorkstreamType type, String[] allowed, boolean missed, int timeout, int capacityPerItem,
            int missesToInactive, Integer missesToSignOut, int wrapUpSeconds, Long presenceAfterRejectId) {
    }

    /** Validates the input; fields left out take the current value on update, the contract's default on create. */
    private static Valid validated(WorkstreamInput in, Workstream current) {
        String name = Inputs.text("name", in.name, 1, MAX_NAME);
        if (in.type == null) {
            throw ApiException.badInput("type is required: one of MESSAGING, RECORD, VOICE.");
        }
        List<BaseStatus> allowed = in.allowedPresences != null ? in.allowedPresences
                : current != null ? current.allowedPresences : DEFAULT_ALLOWED;
        if (allowed.isEmpty()) {
            throw ApiException.badInput("allowedPresences must name at least one base status.");
        }
        if (allowed.stream().anyMatch(s -> s == null || s == BaseStatus.OFFLINE)) {
            throw ApiException.badInput("allowedPresences may not contain OFFLINE: offline agents are never offered work.");
        }
        if (EnumSet.copyOf(allowed).size() != allowed.size()) {
            throw ApiException.badInput("allowedPresences lists a base status twice; name each at most once.");
        }
        boolean missed = in.missedNotifications != null ? in.missedNotifications
                : current != null && current.missedNotifications;
        int timeout = in.offerTimeoutSeconds != null ? in.offerTimeoutSeconds
                : current != null ? current.offerTimeoutSeconds : DEFAULT_TIMEOUT;
        if (timeout < MIN_TIMEOUT || timeout > MAX_TIMEOUT) {
            throw ApiException.badInput("offerTimeoutSeconds must be " + MIN_TIMEOUT + "–" + MAX_TIMEOUT + " (got " + timeout + ").");
        }
        int capacityPerItem = Inputs.number("capacityPerItem", in.capacityPerItem, current != null ? current.capacityPerItem : 0,
                0, MAX_CAPACITY_PER_ITEM);
        int toInactive = Inputs.number("missesToInactive", in.missesToInactive, current != null ? current.missesToInactive : 1,
                1, Integer.MAX_VALUE);
        Integer toSignOut = current == null || in.given.contains("missesToSignOut") ? in.missesToSignOut : current.missesToSignOut;
        if (toSignOut != null && toSignOut <= toInactive) {
            throw ApiException.badInput("missesToSignOut must be greater than missesToInactive (" + toInactive + "), or null for never (got "
                    + toSignOut + ").");
        }
        int wrapUp = Inputs.number("wrapUpSeconds", in.wrapUpSeconds, current != null ? current.wrapUpSeconds : 0, 0, MAX_WRAP_UP);
        Long afterReject = current == null || in.given.contains("presenceAfterRejectId") ? in.presenceAfterRejectId
                : current.presenceAfterRejectId;
        return new Valid(name, in.type, allowed.stream().map(Enum::name).toArray(String[]::new), missed, timeout, capacityPerItem,
                toInactive, toSignOut, wrapUp, afterReject);
    }
}
