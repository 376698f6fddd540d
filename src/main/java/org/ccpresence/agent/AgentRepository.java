package org.ccpresence.agent;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** SQL for agents; every method runs on the connection (or transaction) it is given. */
@ApplicationScoped
class AgentRepository {

    Uni<Agent> find(SqlClient sql, long id) {
        return sql.preparedQuery(Agent.SELECT + "WHERE a.id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : Agent.fromRow(rows.iterator().next()));
    }

    Uni<Agent> findByUserId(SqlClient sql, String userId) {
        return sql.preparedQuery(Agent.SELECT + "WHERE a.user_id = $1").execute(Tuple.of(userId))
                .map(rows -> rows.size() == 0 ? null : Agent.fromRow(rows.iterator().next()));
    }

    Uni<List<Agent>> findAll(SqlClient sql, List<Long> ids) {
        return sql.preparedQuery(Agent.SELECT + "WHERE a.id = ANY($1) ORDER BY a.id")
                .execute(Tuple.of(ids.toArray(Long[]::new)))
                .map(AgentRepository::agents);
    }

    /** Members of each workstream as (workstream id, agent) rows, in agent id order. */
    Uni<RowSet<Row>> membersOf(SqlClient sql, List<Long> workstreamIds) {
        return sql.preparedQuery("SELECT aw.workstream_id, " + Agent.COLUMNS + Agent.FROM + """
                JOIN agent_workstream aw ON aw.agent_id = a.id WHERE aw.workstream_id = ANY($1) ORDER BY a.id""")
                .execute(Tuple.of(workstreamIds.toArray(Long[]::new)));
    }

    Uni<List<Agent>> page(SqlClient sql, AgentFilter filter, int first, long after) {
        AgentFilter f = filter == null ? new AgentFilter() : filter;
        return sql.preparedQuery(Agent.SELECT + """
                WHERE a.id > $1
                  AND ($2::text IS NULL OR p.base_status = $2)
                  AND ($3::bigint IS NULL OR EXISTS (
                        SELECT 1 FROM agent_workstream w WHERE w.agent_id = a.id AND w.workstream_id = $3))
                  AND ($4::boolean IS NULL OR a.signed_in = $4)
                ORDER BY a.id LIMIT $5""")
                .execute(Tuple.of(after, f.baseStatus == null ? null : f.baseStatus.name(), f.workstreamId, f.signedIn, first))
                .map(AgentRepository::agents);
    }

    Uni<Long> insert(SqlClient sql, AgentInput in) {
        return sql.preparedQuery("INSERT INTO agent (user_id, name, default_presence_id, capacity) VALUES ($1, $2, $3, $4) RETURNING id")
                .execute(Tuple.of(in.userId, in.name, in.defaultPresenceId, in.capacity))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    Uni<Boolean> update(SqlClient sql, long id, AgentInput in) {
        return sql.preparedQuery("""
                UPDATE agent SET user_id = $2, name = $3, default_presence_id = $4, capacity = coalesce($5, capacity)
                WHERE id = $1""")
                .execute(Tuple.of(id, in.userId, in.name, in.defaultPresenceId, in.capacity))
                .map(rows -> rows.rowCount() == 1);
    }

    /** With the agent goes their history (the partitioned change log holds no foreign key to cascade it, see V11). */
    Uni<Boolean> delete(SqlClient sql, long id) {
        return sql.preparedQuery("DELETE FROM agent WHERE id = $1").execute(Tuple.of(id))
                .call(() -> sql.preparedQuery("DELETE FROM presence_change WHERE agent_id = $1").execute(Tuple.of(id)))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Replaces the agent's workstream memberships; the caller has checked that the workstreams exist. */
    Uni<Void> replaceWorkstreams(SqlClient sql, long agentId, List<Long> workstreamIds) {
        return sql.preparedQuery("DELETE FROM agent_workstream WHERE agent_id = $1").execute(Tuple.of(agentId))
                .chain(() -> sql.preparedQuery("""
                        INSERT INTO agent_workstream (agent_id, workstream_id)
                        SELECT $1, w FROM unnest($2::bigint[]) AS w""")
                        .execute(Tuple.of(agentId, workstreamIds.toArray(Long[]::new))))
                .replaceWithVoid();
    }

    /**
     * Locks the agents (in id order, so that concurrent writers cannot deadlock) and reads what a change is checked
     * against: id, signed_in, presence_id, version, presence_cause and the presence's name.
     */
    /**
     * Locks the agents' rows. No join in the locking query: when a row is changed by another transaction while this
     * one waits for it, PostgreSQL re-checks the new row version against the joined rows it had read, and a changed
     * presence_id would drop the agent from the result (a "no such agent" for a race with another writer).
     */
    Uni<java.util.Map<Long, Row>> lockForChange(SqlClient sql, Long[] sortedIds) {
        return sql.preparedQuery("""
                SELECT a.id, a.signed_in, a.presence_id, a.version, a.presence_cause, a.missed_in_a_row,
                       (SELECT p.name FROM presence p WHERE p.id = a.presence_id) AS name
                FROM agent a WHERE a.id = ANY($1) ORDER BY a.id FOR UPDATE""")
                .execute(Tuple.of(sortedIds)).map(AgentRepository::byId);
    }

    /** Sign-in and sign-out: one statement; the change log trigger records the presence change. */
    Uni<Agent> signIn(SqlClient sql, long id) {
        return sql.preparedQuery("""
                UPDATE agent SET signed_in = true, presence_id = coalesce(default_presence_id, 1),
                                 presence_cause = 'SIGN_IN', presence_since = now(), version = version + 1,
                                 signed_in_at = now(), missed_in_a_row = 0
                WHERE id = $1 AND NOT signed_in""").execute(Tuple.of(id))
                .chain(() -> find(sql, id));
    }

    Uni<Agent> signOut(SqlClient sql, long id) {
        return sql.preparedQuery("""
                UPDATE agent SET signed_in = false, presence_id = 6, presence_cause = 'SIGN_OUT', presence_since = now(),
                                 version = version + 1
                WHERE id = $1 AND signed_in""").execute(Tuple.of(id))
                .chain(() -> find(sql, id));
    }

    /** Rows by their {@code id} column. */
    static java.util.Map<Long, Row> byId(RowSet<Row> rows) {
        java.util.Map<Long, Row> map = new java.util.HashMap<>();
        rows.forEach(row -> map.put(row.getLong("id"), row));
        return map;
    }

    static List<Agent> agents(RowSet<Row> rows) {
        List<Agent> agents = new java.util.ArrayList<>(rows.size());
        java.util.function.Function<Row, Agent> reader = Agent.reader();
        rows.forEach(row -> agents.add(reader.apply(row)));
        return agents;
    }
}
