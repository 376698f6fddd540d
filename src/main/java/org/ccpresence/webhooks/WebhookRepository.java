package org.ccpresence.webhooks;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** SQL for registering webhooks; every method runs on the connection (or transaction) it is given. */
@ApplicationScoped
class WebhookRepository {

    Uni<List<Webhook>> list(SqlClient sql) {
        return sql.query("SELECT " + Webhook.COLUMNS + " FROM webhook ORDER BY id").execute().map(WebhookRepository::webhooks);
    }

    Uni<Webhook> findForUpdate(SqlClient sql, long id) {
        return sql.preparedQuery("SELECT " + Webhook.COLUMNS + " FROM webhook WHERE id = $1 FOR UPDATE").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : Webhook.fromRow(rows.iterator().next()));
    }

    /** A new webhook starts after the last change committed so far: it receives every change committed later. */
    Uni<Webhook> insert(SqlClient sql, String url, String secret, Long workstreamId, boolean enabled) {
        return sql.preparedQuery("""
                INSERT INTO webhook (url, secret, workstream_id, enabled, position)
                VALUES ($1, $2, $3, $4, (SELECT coalesce(max(sequence), 0) FROM presence_change))
                RETURNING""" + " " + Webhook.COLUMNS)
                .execute(Tuple.of(url, secret, workstreamId, enabled))
                .map(rows -> Webhook.fromRow(rows.iterator().next()));
    }

    /**
     * A null secret or enabled keeps the current value, as does keepWorkstream. Re-enabling (by hand, or by a replay)
     * clears the failure count: delivery resumes at once where it stopped.
     */
    Uni<Webhook> update(SqlClient sql, long id, String url, String secret, boolean keepWorkstream, Long workstreamId,
            Boolean enabled) {
        return sql.preparedQuery("""
                UPDATE webhook SET url = $2, secret = coalesce($3, secret),
                       workstream_id = CASE WHEN $4 THEN workstream_id ELSE $5 END,
                       enabled = coalesce($6, enabled),
                       failures = CASE WHEN $6 AND NOT enabled THEN 0 ELSE failures END,
                       failing_since = CASE WHEN $6 AND NOT enabled THEN NULL ELSE failing_since END,
                       next_attempt_at = CASE WHEN $6 AND NOT enabled THEN NULL ELSE next_attempt_at END,
                       updated_at = now(), version = version + 1
                WHERE id = $1 RETURNING""" + " " + Webhook.COLUMNS)
                .execute(Tuple.from(new Object[] { id, url, secret, keepWorkstream, workstreamId, enabled }))
                .map(rows -> Webhook.fromRow(rows.iterator().next()));
    }

    Uni<Boolean> delete(SqlClient sql, long id) {
        return sql.preparedQuery("DELETE FROM webhook WHERE id = $1").execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
    }

    /** Moves the position; the batch in flight, if any, is dropped (its late acknowledgement then changes nothing). */
    Uni<Webhook> replay(SqlClient sql, long id, long afterSequence) {
        return sql.preparedQuery("""
                UPDATE webhook SET position = $2, delivered_through = $2, enabled = true, failures = 0, failing_since = NULL,
                       next_attempt_at = NULL, last_error = NULL, pending_id = NULL, pending_body = NULL,
                       pending_through = NULL, updated_at = now(), version = version + 1
                WHERE id = $1 RETURNING""" + " " + Webhook.COLUMNS)
                .execute(Tuple.of(id, afterSequence))
                .map(rows -> rows.size() == 0 ? null : Webhook.fromRow(rows.iterator().next()));
    }

    private static List<Webhook> webhooks(RowSet<Row> rows) {
        List<Webhook> list = new ArrayList<>(rows.size());
        rows.forEach(row -> list.add(Webhook.fromRow(row)));
        return list;
    }
}
