package org.ccpresence.reports;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.agent.Agent;
import org.ccpresence.presence.BaseStatus;
import org.ccpresence.presence.Presence;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The reports' SQL, set-based over the change log: each change's span ends where the agent's next change begins
 * ({@code lead}), clipped to the period and to now; only spans in which the agent was signed in count. Each change row
 * carries the base status and sign-in state it had (see the V9 migration), so nothing joins today's catalog.
 */
@ApplicationScoped
class ReportRepository {

    /** $1 from, $2 to, $3 agent ids or null, $4 workstream id or null, $5 after (agent id), $6 page size. */
    private static final String SUMMARY = """
            WITH chosen AS (
                SELECT a.id FROM agent a
                WHERE a.id > $5
                  AND ($3::bigint[] IS NULL OR a.id = ANY($3))
                  AND ($4::bigint IS NULL OR EXISTS (
                        SELECT 1 FROM agent_workstream w WHERE w.agent_id = a.id AND w.workstream_id = $4))
                ORDER BY a.id LIMIT $6
            )
            SELECT t.base_status, t.micros, coalesce(t.changes, 0) AS changes, %s, %s
            FROM chosen ch LEFT JOIN LATERAL (
                -- one agent at a time, from its own index entries: the last change before the period opens it
                WITH changes AS (
                    (SELECT c.sequence, c.at, c.current_presence_id, c.base_status, c.signed_in, false AS inside
                     FROM presence_change c WHERE c.agent_id = ch.id AND c.at < $1
                     ORDER BY c.at DESC, c.sequence DESC LIMIT 1)
                    UNION ALL
                    (SELECT c.sequence, c.at, c.current_presence_id, c.base_status, c.signed_in, true
                     FROM presence_change c WHERE c.agent_id = ch.id AND c.at >= $1 AND c.at < $2)
                ), spans AS (
                    SELECT current_presence_id, base_status, signed_in, greatest(at, $1) AS starts,
                           least(lead(at) OVER (ORDER BY sequence), $2, now()) AS ends
                    FROM changes
                )
                SELECT current_presence_id, base_status,
                       sum((extract(epoch FROM ends - starts) * 1000000)::bigint) FILTER (WHERE signed_in AND ends > starts) AS micros,
                       (SELECT count(*) FROM changes WHERE inside) AS changes
                FROM spans GROUP BY current_presence_id, base_status
            ) t ON true
            LEFT JOIN presence spent ON spent.id = t.current_presence_id
            -- the agent as they are now, in the same rows
            JOIN agent a ON a.id = ch.id
            JOIN presence p ON p.id = a.presence_id
            ORDER BY ch.id""".formatted(Presence.columns("spent"), Agent.COLUMNS);

    /**
     * $1 at, $2 workstream id or null, $3 after (agent id), $4 page size. One probe of the log per agent in the common
     * case: the later arguments of coalesce are evaluated only when the earlier ones are null. The agent as they are
     * now comes in the same rows ({@link Agent#COLUMNS}), not in a query of its own.
     */
    private static final String FLOOR_AT = """
            SELECT f.*, %s, %s FROM (
            SELECT a.id AS agent_id, coalesce(last.current_presence_id, offline.id) AS was_presence_id,
                   coalesce(last.base_status, 'OFFLINE') AS was_base_status, coalesce(last.signed_in, false) AS was_signed_in,
                   coalesce(
                       CASE WHEN last.cause <> 'PRESENCE_EDITED' THEN last.at END,
                       -- an edit of the presence changes the base status, not when the presence began
                       (SELECT c.at FROM presence_change c
                        WHERE c.agent_id = a.id AND c.at <= $1 AND c.cause <> 'PRESENCE_EDITED'
                        ORDER BY c.at DESC, c.sequence DESC LIMIT 1),
                       created.at) AS since
            FROM agent a
            CROSS JOIN (SELECT id FROM presence WHERE system_presence = 'OFFLINE') offline
            -- agents made before the reports release have no created_at: they were there by their first change
            CROSS JOIN LATERAL (SELECT coalesce(a.created_at, (SELECT min(c.at) FROM presence_change c WHERE c.agent_id = a.id),
                                                '-infinity') AS at) created
            LEFT JOIN LATERAL (
                SELECT c.current_presence_id, c.base_status, c.signed_in, c.cause, c.at FROM presence_change c
                WHERE c.agent_id = a.id AND c.at <= $1 ORDER BY c.at DESC, c.sequence DESC LIMIT 1) last ON true
            WHERE created.at <= $1 AND a.id > $3
              AND ($2::bigint IS NULL OR EXISTS (
                    SELECT 1 FROM agent_workstream w WHERE w.agent_id = a.id AND w.workstream_id = $2))
            ORDER BY a.id LIMIT $4) f
            JOIN presence was ON was.id = f.was_presence_id
            JOIN agent a ON a.id = f.agent_id
            JOIN presence p ON p.id = a.presence_id
            ORDER BY f.agent_id""".formatted(Presence.columns("was"), Agent.COLUMNS);

    private final Pool pool;

    ReportRepository(Pool pool) {
        this.pool = pool;
    }

    Uni<List<PresenceSummary>> summary(OffsetDateTime from, OffsetDateTime to, List<Long> agentIds, Long workstreamId,
            long after, int first) {
        return pool.preparedQuery(SUMMARY)
                .execute(Tuple.from(new Object[] { from, to, agentIds == null ? null : agentIds.toArray(Long[]::new),
                        workstreamId, after, first }))
                .map(ReportRepository::summaries);
    }

    Uni<List<AgentAt>> floorAt(OffsetDateTime at, Long workstreamId, long after, int first) {
        return pool.preparedQuery(FLOOR_AT).execute(Tuple.of(at, workstreamId, after, first)).map(rows -> {
            List<AgentAt> floor = new ArrayList<>(rows.size());
            Function<Row, Presence> presences = Presence.reader("was");
            Function<Row, Agent> agents = Agent.reader();
            rows.forEach(row -> floor.add(new AgentAt(agents.apply(row), presences.apply(row),
                    row.getBoolean("was_signed_in"), BaseStatus.valueOf(row.getString("was_base_status")),
                    row.getOffsetDateTime("since"))));
            return floor;
        });
    }

    /** Folds the (agent, presence, base status, microseconds) rows into one summary per agent, in agent order. */
    private static List<PresenceSummary> summaries(RowSet<Row> rows) {
        Map<Long, Totals> byAgent = new LinkedHashMap<>();
        Function<Row, Presence> presences = Presence.reader("spent");
        Function<Row, Agent> agents = Agent.reader();
        for (Row row : rows) {
            Totals totals = byAgent.computeIfAbsent(row.getLong("id"), id -> new Totals(agents.apply(row), row.getInteger("changes")));
            Long micros = row.getLong("micros");
            if (micros != null) {
                totals.add(presences.apply(row), BaseStatus.valueOf(row.getString("base_status")), micros);
            }
        }
        List<PresenceSummary> summaries = new ArrayList<>(byAgent.size());
        byAgent.values().forEach(totals -> summaries.add(totals.summary()));
        return summaries;
    }

    /** Sums kept in whole microseconds, so that the parts add up to the total exactly. */
    private static final class Totals {
        final Agent agent;
        final int changes;
        long signedIn;
        final Map<BaseStatus, Long> byBaseStatus = new EnumMap<>(BaseStatus.class);
        final Map<Long, Long> byPresence = new HashMap<>();
        final Map<Long, Presence> presences = new HashMap<>();

        Totals(Agent agent, int changes) {
            this.agent = agent;
            this.changes = changes;
        }

        void add(Presence presence, BaseStatus status, long micros) {
            signedIn += micros;
            byBaseStatus.merge(status, micros, Long::sum);
            byPresence.merge(presence.id, micros, Long::sum);
            presences.put(presence.id, presence);
        }

        PresenceSummary summary() {
            List<BaseStatusTime> statuses = new ArrayList<>();
            byBaseStatus.forEach((status, micros) -> statuses.add(new BaseStatusTime(status, seconds(micros))));
            List<PresenceTime> times = new ArrayList<>();
            byPresence.entrySet().stream()
                    .sorted(Map.Entry.<Long, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                    .forEach(e -> times.add(new PresenceTime(this.presences.get(e.getKey()), seconds(e.getValue()))));
            return new PresenceSummary(agent, seconds(signedIn), statuses, times, changes);
        }

        private static double seconds(long micros) {
            return micros / 1_000_000.0;
        }
    }
}
