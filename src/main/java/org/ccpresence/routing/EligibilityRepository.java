package org.ccpresence.routing;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Eligibility explained, in one statement per workstream: for each member (and one more agent, when asked about an
 * agent who may not be a member), which of the rules of {@link IneligibleReason} fail — the very conditions routing
 * ANDs — with the values the sentences name, and each eligible agent's place in routing's order.
 */
@ApplicationScoped
class EligibilityRepository {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    /** $1 workstream id, $2 an agent to include whether a member or not (or null). */
    private static final String EXPLAIN = """
            SELECT x.*, CASE WHEN x.eligible THEN count(*) FILTER (WHERE x.eligible) OVER (
                           ORDER BY x.last_offered_at NULLS FIRST, x.agent_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                        END AS ahead
            FROM (
                SELECT a.id AS agent_id, a.last_offered_at, %s, %s AS eligible,
                       w.name AS workstream_name, w.allowed_presences, w.capacity_per_item,
                       p.name AS presence_name, p.base_status, a.capacity, a.capacity - a.capacity_used AS free_capacity,
                       a.desktop_last_seen_at, pending.name AS pending_workstream, pending.expires_at AS pending_until,
                       wrapping.until AS wrap_up_until
                FROM workstream w
                JOIN (SELECT agent_id FROM agent_workstream WHERE workstream_id = $1
                      UNION SELECT $2::bigint WHERE $2::bigint IS NOT NULL) m ON true
                JOIN agent a ON a.id = m.agent_id
                JOIN presence p ON p.id = a.presence_id
                LEFT JOIN LATERAL (
                    SELECT ws.name, o.expires_at FROM offer o JOIN workstream ws ON ws.id = o.workstream_id
                    WHERE o.agent_id = a.id AND o.state = 'PENDING') pending ON true
                LEFT JOIN LATERAL (
                    SELECT max(o.wrap_up_until) AS until FROM offer o WHERE o.agent_id = a.id AND o.state = 'WRAP_UP') wrapping ON true
                WHERE w.id = $1
            ) x
            ORDER BY x.eligible DESC, x.last_offered_at NULLS FIRST, x.agent_id""".formatted(
            Arrays.stream(IneligibleReason.values()).map(IneligibleReason::failedColumn).collect(Collectors.joining(", ")),
            EligibilityRules.ALL_MET);

    private final Pool pool;

    EligibilityRepository(Pool pool) {
        this.pool = pool;
    }

    /** Every member of the workstream (plus agentId, if given), eligible ones first in routing order. */
    Uni<List<Eligibility>> explain(long workstreamId, Long agentId) {
        return pool.preparedQuery(EXPLAIN).execute(Tuple.of(workstreamId, agentId)).map(rows -> {
            List<Eligibility> all = new ArrayList<>(rows.size());
            rows.forEach(row -> all.add(eligibility(workstreamId, row)));
            return all;
        });
    }

    private static Eligibility eligibility(long workstreamId, Row row) {
        List<IneligibleReason> reasons = new ArrayList<>();
        for (IneligibleReason reason : IneligibleReason.values()) {
            if (row.getBoolean(reason.failedColumnName())) {
                reasons.add(reason);
            }
        }
        if (reasons.contains(IneligibleReason.SIGNED_OUT)) {
            reasons.remove(IneligibleReason.STATUS_NOT_ALLOWED); // a signed-out agent's Offline is said once
        }
        if (reasons.isEmpty() != row.getBoolean("eligible")) {
            throw new IllegalStateException("eligibility rules disagree for agent " + row.getLong("agent_id"));
        }
        List<String> explanation = reasons.stream().map(reason -> sentence(reason, row)).toList();
        Long ahead = row.getLong("ahead");
        return new Eligibility(row.getLong("agent_id"), workstreamId, reasons, explanation, ahead == null ? null : ahead.intValue());
    }

    private static String sentence(IneligibleReason reason, Row row) {
        return switch (reason) {
            case NOT_IN_WORKSTREAM -> "Not a member of " + row.getString("workstream_name") + "; add the agent to the workstream.";
            case SIGNED_OUT -> "Signed out; work is offered once the agent signs in.";
            case DESKTOP_DISCONNECTED -> "Every desktop connection closed at " + time(row.getOffsetDateTime("desktop_last_seen_at"))
                    + "; work is offered again when the desktop reconnects, place in line kept.";
            case STATUS_NOT_ALLOWED -> row.getString("presence_name") + " is " + row.getString("base_status")
                    + "; this workstream takes " + String.join(", ", row.getArrayOfStrings("allowed_presences")) + ".";
            case PENDING_OFFER -> "Has a pending offer of " + row.getString("pending_workstream") + " until "
                    + time(row.getOffsetDateTime("pending_until")) + ".";
            case NO_FREE_CAPACITY -> "Free capacity " + row.getInteger("free_capacity") + " of " + row.getInteger("capacity")
                    + "; an item needs " + row.getInteger("capacity_per_item") + ".";
            case WRAP_UP -> "Wraps up until " + time(row.getOffsetDateTime("wrap_up_until")) + ".";
        };
    }

    private static String time(OffsetDateTime at) {
        return at == null ? "an unknown time" : TIME.format(at);
    }
}
