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

    /** Locks the workstream against concurrent updates and deletes until commit; null when it does not exist. */
    Uni<Workstream> findForUpdate(SqlClient sql, long id) {
        return sql.preparedQuery(Workstream.SELECT + "WHERE w.id = $1 FOR UPDATE").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : Workstream.fromRow(rows.iterator().next()));
    }

    Uni<Long> insert(SqlClient sql, WorkstreamService.Valid w) {
        return sql.preparedQuery("""
                INSERT INTO workstream (name, type, allowed_presences, missed_notifications, offer_timeout_seconds,
                                        capacity_per_item, misses_to_inactive, misses_to_sign_out, wrap_up_seconds,
                                        presence_after_reject_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id""")
                .execute(Tuple.from(java.util.Arrays.asList(w.name(), w.type().name(), w.allowed(), w.missed(), w.timeout(),
                        w.capacityPerItem(), w.missesToInactive(), w.missesToSignOut(), w.wrapUpSeconds(), w.presenceAfterRejectId())))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    Uni<Void> update(SqlClient sql, long id, WorkstreamService.Valid w) {
        return sql.preparedQuery("""
                UPDATE workstream SET name = $2, type = $3, allowed_presences = $4, missed_notifications = $5,
                       offer_timeout_seconds = $6, capacity_per_item = $7, misses_to_inactive = $8, misses_to_sign_out = $9,
                       wrap_up_seconds = $10, presence_after_reject_id = $11, version = version + 1, updated_at = now()
                WHERE id = $1""")
                .execute(Tuple.from(java.util.Arrays.asList(id, w.name(), w.type().name(), w.allowed(), w.missed(), w.timeout(),
                        w.capacityPerItem(), w.missesToInactive(), w.missesToSignOut(), w.wrapUpSeconds(), w.presenceAfterRejectId())))
                .replaceWithVoid();
    }

    /**
     * Whether a live presence exists and agents may choose it (null when it does not exist); locked until commit
     * against a concurrent delete (which takes it FOR UPDATE, then checks the workstreams naming it).
     */
    Uni<Boolean> agentSelectable(SqlClient sql, long presenceId) {
        return sql.preparedQuery("SELECT system_presence IS DISTINCT FROM 'INACTIVE' FROM presence WHERE id = $1 AND deleted_at IS NULL FOR SHARE")
                .execute(Tuple.of(presenceId)).map(rows -> rows.size() == 0 ? null : rows.iterator().next().getBoolean(0));
    }

    Uni<Long> pendingOffers(SqlClient sql, long id) {
        return sql.preparedQuery("SELECT count(*) FROM offer WHERE workstream_id = $1 AND state = 'PENDING'")
                .execute(Tuple.of(id)).map(rows -> rows.iterator().next().getLong(0));
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
