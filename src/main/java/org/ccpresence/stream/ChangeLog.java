package org.ccpresence.stream;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.presence.Presence;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Reads the presence change log (written by the database triggers of the agent and presence tables, see the
 * migrations). Sequences are assigned in commit order, so "everything after S" never skips a committed change.
 */
@ApplicationScoped
public class ChangeLog {

    private static final String SELECT = "SELECT c.sequence, c.agent_id, c.cause, c.at, c.version, "
            + Presence.columns("prev") + ", " + Presence.columns("cur") + ", "
            + "ARRAY(SELECT w.workstream_id FROM agent_workstream w WHERE w.agent_id = c.agent_id) AS workstream_ids "
            + "FROM presence_change c "
            + "LEFT JOIN presence prev ON prev.id = c.previous_presence_id "
            + "JOIN presence cur ON cur.id = c.current_presence_id ";

    private final Pool pool;

    ChangeLog(Pool pool) {
        this.pool = pool;
    }

    public Uni<Long> lastSequence() {
        return pool.query("SELECT coalesce(max(sequence), 0) FROM presence_change").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** Changes with after < sequence <= upTo, oldest first, at most limit, optionally only for some agents. */
    public Uni<List<PresenceChange>> between(long after, long upTo, int limit, List<Long> agentIds, Long workstreamId) {
        return pool.preparedQuery(SELECT + """
                WHERE c.sequence > $1 AND c.sequence <= $2
                  AND ($3::bigint[] IS NULL OR c.agent_id = ANY($3))
                  AND ($4::bigint IS NULL OR EXISTS (
                        SELECT 1 FROM agent_workstream w WHERE w.agent_id = c.agent_id AND w.workstream_id = $4))
                ORDER BY c.sequence LIMIT $5""")
                .execute(Tuple.of(after, upTo, agentIds == null ? null : agentIds.toArray(Long[]::new), workstreamId, limit))
                .map(ChangeLog::changes);
    }

    /** One agent's changes, newest first, with from <= at < to. */
    public Uni<List<PresenceChange>> history(long agentId, OffsetDateTime from, OffsetDateTime to, int limit) {
        return pool.preparedQuery(SELECT + """
                WHERE c.agent_id = $1 AND ($2::timestamptz IS NULL OR c.at >= $2) AND ($3::timestamptz IS NULL OR c.at < $3)
                ORDER BY c.sequence DESC LIMIT $4""")
                .execute(Tuple.of(agentId, from, to, limit))
                .map(ChangeLog::changes);
    }

    private static List<PresenceChange> changes(RowSet<Row> rows) {
        List<PresenceChange> changes = new ArrayList<>(rows.size());
        Function<Row, Presence> previous = Presence.reader("prev");
        Function<Row, Presence> current = Presence.reader("cur");
        rows.forEach(row -> changes.add(PresenceChange.fromRow(row, previous, current)));
        return changes;
    }
}
