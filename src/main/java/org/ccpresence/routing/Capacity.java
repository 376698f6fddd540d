package org.ccpresence.routing;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * SQL for capacity: accepted offers hold their workstream's capacityPerItem units of the agent's capacity until the
 * work is completed. An agent counts as full when their free capacity is too little for every workstream of theirs
 * whose capacityPerItem is above 0 (an agent in none of those is never full).
 */
@ApplicationScoped
class Capacity {

    /** Whether agent {@code a} would be full with {@code free} units free. */
    private static final String FULL_WHEN_FREE = """
            EXISTS (SELECT 1 FROM agent_workstream aw JOIN workstream w ON w.id = aw.workstream_id
                    WHERE aw.agent_id = a.id AND w.capacity_per_item > 0)
            AND NOT EXISTS (SELECT 1 FROM agent_workstream aw JOIN workstream w ON w.id = aw.workstream_id
                    WHERE aw.agent_id = a.id AND w.capacity_per_item > 0 AND w.capacity_per_item <= %s)""";

    /**
     * Locks the offer's agent before the offer is answered or completed: the statements that follow then read the
     * agent's capacity as the last commit left it, and the locks are taken agent first, then offer, as sign-out takes
     * them (the other order could deadlock with a sign-out).
     */
    Uni<Void> lockAgentOf(SqlClient tx, long offerId) {
        return tx.preparedQuery("SELECT 1 FROM agent WHERE id = (SELECT agent_id FROM offer WHERE id = $1) FOR UPDATE")
                .execute(Tuple.of(offerId)).replaceWithVoid();
    }

    /**
     * An accepted offer holds its workstream's units; an agent whose base status is AVAILABLE and who is full after it
     * goes to the system Busy presence (cause CAPACITY), remembering the presence to return to.
     */
    Uni<Void> hold(SqlClient tx, long offerId) {
        return tx.preparedQuery("""
                WITH held AS (
                    UPDATE offer o SET capacity_units = w.capacity_per_item FROM workstream w
                    WHERE o.id = $1 AND w.id = o.workstream_id
                    RETURNING o.agent_id, o.capacity_units
                ), decided AS (
                    SELECT a.id, h.capacity_units, p.base_status = 'AVAILABLE' AND\s"""
                + FULL_WHEN_FREE.formatted("a.capacity - a.capacity_used - h.capacity_units") + """
                     AS to_busy
                    FROM held h JOIN agent a ON a.id = h.agent_id JOIN presence p ON p.id = a.presence_id
                )
                UPDATE agent a SET capacity_used = a.capacity_used + d.capacity_units,
                       presence_before_capacity_id = CASE WHEN d.to_busy THEN a.presence_id ELSE a.presence_before_capacity_id END,
                       presence_id = CASE WHEN d.to_busy THEN 2 ELSE a.presence_id END,
                       presence_cause = CASE WHEN d.to_busy THEN 'CAPACITY' ELSE a.presence_cause END,
                       presence_since = CASE WHEN d.to_busy THEN now() ELSE a.presence_since END,
                       version = a.version + CASE WHEN d.to_busy THEN 1 ELSE 0 END
                FROM decided d WHERE a.id = d.id AND (d.capacity_units > 0 OR d.to_busy)""")
                .execute(Tuple.of(offerId)).replaceWithVoid();
    }

    /**
     * A completed offer frees its units; an agent still in the Busy that capacity put them in, who now has room for at
     * least one capacity-using workstream, returns to the presence they had before (Available if it was deleted since).
     */
    Uni<Void> release(SqlClient tx, long agentId, int units) {
        return release(tx, List.of(agentId), List.of(units));
    }

    /** The same for many completed offers at once (an agent may appear more than once). */
    Uni<Void> release(SqlClient tx, List<Long> agentIds, List<Integer> units) {
        return tx.preparedQuery("""
                WITH freed AS (
                    SELECT agent_id, sum(units)::int AS units FROM unnest($1::bigint[], $2::int[]) AS f(agent_id, units)
                    GROUP BY agent_id
                ), decided AS (
                    SELECT a.id, f.units, a.presence_cause = 'CAPACITY' AND a.presence_id = 2 AND NOT ("""
                + FULL_WHEN_FREE.formatted("a.capacity - a.capacity_used + f.units") + """
                    ) AS back,
                           coalesce((SELECT p.id FROM presence p WHERE p.id = a.presence_before_capacity_id
                                     AND p.deleted_at IS NULL), 1) AS back_to
                    FROM freed f JOIN agent a ON a.id = f.agent_id
                )
                UPDATE agent a SET capacity_used = greatest(a.capacity_used - d.units, 0),
                       presence_id = CASE WHEN d.back THEN d.back_to ELSE a.presence_id END,
                       presence_since = CASE WHEN d.back THEN now() ELSE a.presence_since END,
                       presence_before_capacity_id = CASE WHEN d.back THEN NULL ELSE a.presence_before_capacity_id END,
                       version = a.version + CASE WHEN d.back THEN 1 ELSE 0 END
                FROM decided d WHERE a.id = d.id AND (d.units > 0 OR d.back)""")
                .execute(Tuple.of(agentIds.toArray(Long[]::new), units.toArray(Integer[]::new))).replaceWithVoid();
    }
}
