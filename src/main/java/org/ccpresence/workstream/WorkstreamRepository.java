package org.ccpresence.workstream;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

@ApplicationScoped
class WorkstreamRepository {

    Uni<List<Workstream>> list(SqlClient sql) {
        return sql.query(Workstream.SELECT + "ORDER BY w.id").execute().map(WorkstreamRepository::workstreams);
    }

    Uni<Workstream> find(SqlClient sql, long id) {
        return sql.preparedQuery(Workstream.SELECT + "WHERE w.id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : Workstream.fromRow(rows.iterator().next()));
    }

    Uni<List<Workstream>> findAll(SqlClient sql, List<Long> ids) {
        return sql.preparedQuery(Workstream.SELECT + "WHERE w.id = ANY($1)").execute(Tuple.of(ids.toArray(Long[]::new)))
                .map(WorkstreamRepository::workstreams);
    }

    /** Workstreams of each agent: agent id → workstreams, in one query for a whole batch of agents. */
    Uni<List<Row>> ofAgents(SqlClient sql, Long[] agentIds) {
        return sql.preparedQuery("SELECT aw.agent_id, " + Workstream.COLUMNS + """
                 FROM workstream w JOIN agent_workstream aw ON aw.workstream_id = w.id
                WHERE aw.agent_id = ANY($1) ORDER BY w.id""")
                .execute(Tuple.of(agentIds)).map(rows -> {
                    List<Row> list = new ArrayList<>();
                    rows.forEach(list::add);
                    return list;
                });
    }

    Uni<Long> insert(SqlClient sql, String name, WorkstreamType type, String[] allowed, boolean missed, int timeout) {
        return sql.preparedQuery("""
                INSERT INTO workstream (name, type, allowed_presences, missed_notifications, offer_timeout_seconds)
                VALUES ($1, $2, $3, $4, $5) RETURNING id""")
                .execute(Tuple.of(name, type.name(), allowed, missed, timeout))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    Uni<Boolean> update(SqlClient sql, long id, String name, WorkstreamType type, String[] allowed, boolean missed, int timeout) {
        return sql.preparedQuery("""
                UPDATE workstream SET name = $2, type = $3, allowed_presences = $4, missed_notifications = $5,
                       offer_timeout_seconds = $6, updated_at = now()
                WHERE id = $1""")
                .execute(Tuple.of(id, name, type.name(), allowed, missed, timeout))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Locks the workstream and counts its pending offers; null when it does not exist. */
    Uni<Long> pendingOffers(SqlClient sql, long id) {
        return sql.preparedQuery("""
                SELECT (SELECT count(*) FROM offer o WHERE o.workstream_id = w.id AND o.state = 'PENDING')
                FROM workstream w WHERE w.id = $1 FOR UPDATE""")
                .execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong(0));
    }

    Uni<Void> delete(SqlClient sql, long id) {
        return sql.preparedQuery("DELETE FROM workstream WHERE id = $1").execute(Tuple.of(id)).replaceWithVoid();
    }

    static List<Workstream> workstreams(RowSet<Row> rows) {
        List<Workstream> list = new ArrayList<>(rows.size());
        rows.forEach(row -> list.add(Workstream.fromRow(row)));
        return list;
    }
}
