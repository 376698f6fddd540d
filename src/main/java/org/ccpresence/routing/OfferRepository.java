package org.ccpresence.routing;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** SQL for offers; every method runs on the connection (or transaction) it is given. */
@ApplicationScoped
class OfferRepository {

    /** A work item of a workstream waiting for an agent. */
    record Item(long workstreamId, String workItem) {
    }

    static final int MAX_LIST = 1000;

    Uni<List<Offer>> findAll(SqlClient sql, List<Long> ids) {
        return sql.preparedQuery(Offer.SELECT + "WHERE o.id = ANY($1) ORDER BY o.id")
                .execute(Tuple.of(ids.toArray(Long[]::new))).map(OfferRepository::offers);
    }

    Uni<Offer> find(SqlClient sql, long id) {
        return findAll(sql, List.of(id)).map(list -> list.isEmpty() ? null : list.get(0));
    }

    Uni<List<Offer>> list(SqlClient sql, Long agentId, String workItem, OfferState state) {
        return sql.preparedQuery(Offer.SELECT + """
                WHERE ($1::bigint IS NULL OR o.agent_id = $1) AND ($2::text IS NULL OR o.work_item = $2)
                  AND ($3::text IS NULL OR o.state = $3)
                ORDER BY o.id DESC LIMIT $4""")
                .execute(Tuple.of(agentId, workItem, state == null ? null : state.name(), MAX_LIST))
                .map(OfferRepository::offers);
    }

    /** Agent ids eligible for the workstream now, longest-waiting first. */
    Uni<List<Long>> eligibleAgentIds(SqlClient sql, long workstreamId, int limit) {
        return sql.preparedQuery("SELECT e.id FROM workstream w CROSS JOIN LATERAL ("
                + EligibilityRules.ELIGIBLE_AGENTS + EligibilityRules.LONGEST_WAITING_FIRST + " LIMIT $2) e WHERE w.id = $1")
                .execute(Tuple.of(workstreamId, limit))
                .map(rows -> {
                    List<Long> ids = new ArrayList<>(rows.size());
                    rows.forEach(row -> ids.add(row.getLong(0)));
                    return ids;
                });
    }

    /**
     * Offers the items, in one statement: per workstream, the k-th item (in work-item order) goes to the k-th
     * longest-waiting eligible agent (never-offered first) who had none of these items before and is not excluded.
     * Those passed over are collected once into a hashed set (a per-candidate join of offers with the items was a
     * nested loop of candidates × items). Agents held by another routing transaction are skipped, not waited for (the
     * next ones take their place), so concurrent routing on any replica never hands one agent two offers and never
     * blocks. Writes the pending offers and the agents' last_offered_at; the offer trigger notifies every replica.
     */
    Uni<Round> offerToNextAgents(SqlClient sql, List<Item> items, List<Long> excludedAgents) {
        return sql.preparedQuery("""
                WITH items AS (
                    SELECT i.workstream_id, i.work_item,
                           row_number() OVER (PARTITION BY i.workstream_id ORDER BY i.work_item) AS rank
                    FROM unnest($1::bigint[], $2::text[]) AS i(workstream_id, work_item)
                ), passed_over AS (
                    SELECT seen.agent_id FROM offer seen
                    JOIN items had ON had.workstream_id = seen.workstream_id AND had.work_item = seen.work_item
                    UNION SELECT unnest($3::bigint[])
                ), wanted AS (
                    SELECT workstream_id, count(*) AS n FROM items GROUP BY workstream_id
                ), candidates AS (
                    SELECT w.id AS workstream_id, w.offer_timeout_seconds, e.id AS agent_id,
                           row_number() OVER (PARTITION BY w.id ORDER BY e.last_offered_at NULLS FIRST, e.id) AS rank
                    FROM wanted JOIN workstream w ON w.id = wanted.workstream_id
                    CROSS JOIN LATERAL (""" + EligibilityRules.ELIGIBLE_AGENTS + """
                          AND a.id NOT IN (SELECT agent_id FROM passed_over)
                        """ + EligibilityRules.LONGEST_WAITING_FIRST + """
                        LIMIT wanted.n FOR UPDATE OF a SKIP LOCKED) e
                ), picks AS (
                    SELECT i.workstream_id, i.work_item, c.offer_timeout_seconds, c.agent_id
                    FROM items i JOIN candidates c ON c.workstream_id = i.workstream_id AND c.rank = i.rank
                ), offered AS (
                    INSERT INTO offer (workstream_id, agent_id, work_item, expires_at)
                    SELECT p.workstream_id, p.agent_id, p.work_item, now() + make_interval(secs => p.offer_timeout_seconds)
                    FROM picks p
                    ON CONFLICT DO NOTHING
                    RETURNING\s""" + Offer.RETURNED + """
                ), touched AS (
                    UPDATE agent a SET last_offered_at = now() FROM offered o WHERE a.id = o.agent_id
                ), picked AS (
                    SELECT count(*) AS agents FROM picks
                )
                SELECT o.*, picked.agents AS picked FROM picked LEFT JOIN offered o ON true""")
                .execute(Tuple.of(items.stream().map(Item::workstreamId).toArray(Long[]::new),
                        items.stream().map(Item::workItem).toArray(String[]::new),
                        excludedAgents.toArray(Long[]::new)))
                .map(rows -> {
                    List<Offer> made = new ArrayList<>(rows.size());
                    long picked = 0;
                    for (Row row : rows) {
                        picked = row.getLong("picked");
                        if (row.getLong("id") != null) {
                            made.add(Offer.fromRow(row));
                        }
                    }
                    return new Round(made, picked);
                });
    }

    /**
     * What one routing statement did. Fewer offers than picked agents means some picks lost a race: an agent that a
     * concurrent routing transaction offered work and committed just before this statement locked it still looks
     * free to this statement's snapshot, and the one-pending-offer-per-agent index turns that offer away. A new
     * statement (a new snapshot) sees it busy.
     */
    record Round(List<Offer> offers, long picked) {
    }

    /** Answers a pending, unexpired offer (a rejection with its reason, or null); empty when it was not pending or has expired. */
    Uni<Offer> answer(SqlClient sql, long id, OfferState answer, String rejectReason) {
        return sql.preparedQuery("""
                UPDATE offer SET state = $2, responded_at = now(), reject_reason = $3
                WHERE id = $1 AND state = 'PENDING' AND expires_at > now()
                RETURNING\s""" + Offer.RETURNED)
                .execute(Tuple.of(id, answer.name(), rejectReason))
                .map(rows -> rows.size() == 0 ? null : Offer.fromRow(rows.iterator().next()));
    }

    /**
     * completeWork: an ACCEPTED offer of a workstream with wrap-up goes to WRAP_UP until now + wrapUpSeconds, any other
     * ACCEPTED one and a WRAP_UP one (ending it early) to COMPLETED; empty when it was neither.
     */
    Uni<Offer> complete(SqlClient sql, long id) {
        return sql.preparedQuery("""
                WITH decided AS (
                    SELECT o.id, o.state = 'ACCEPTED' AND w.wrap_up_seconds > 0 AS wraps_up, w.wrap_up_seconds
                    FROM offer o JOIN workstream w ON w.id = o.workstream_id
                    WHERE o.id = $1 AND o.state IN ('ACCEPTED', 'WRAP_UP')
                )
                UPDATE offer o SET state = CASE WHEN d.wraps_up THEN 'WRAP_UP' ELSE 'COMPLETED' END,
                       wrap_up_until = CASE WHEN d.wraps_up THEN now() + make_interval(secs => d.wrap_up_seconds)
                                            ELSE least(o.wrap_up_until, now()) END,
                       wrap_up_started_at = CASE WHEN d.wraps_up THEN now() ELSE o.wrap_up_started_at END,
                       completed_at = CASE WHEN d.wraps_up THEN NULL ELSE now() END
                FROM decided d WHERE o.id = d.id
                RETURNING\s""" + Offer.RETURNED_FROM_O)
                .execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : Offer.fromRow(rows.iterator().next()));
    }

    /** An offer whose wrap-up the sweep ended: its agent, the capacity it held, how long the wrap-up lasted. */
    record WrapUpEnded(long agentId, int capacityUnits, double seconds) {
    }

    /**
     * The wrap-up sweep, one statement per batch: completes up to {@code limit} offers whose wrap-up is due. It locks
     * agents first, then their offers, as completeWork and sign-out do (one lock order for every writer), skipping
     * agents another replica or a request holds: each wrap-up ends once, and it never waits on one.
     */
    Uni<List<WrapUpEnded>> endDueWrapUps(SqlClient sql, int limit) {
        return sql.preparedQuery("""
                WITH due AS MATERIALIZED (
                    SELECT DISTINCT agent_id FROM (
                        SELECT agent_id FROM offer WHERE state = 'WRAP_UP' AND wrap_up_until <= now()
                        ORDER BY wrap_up_until LIMIT $1) d
                ), agents AS MATERIALIZED (
                    SELECT a.id FROM agent a JOIN due ON due.agent_id = a.id ORDER BY a.id FOR UPDATE OF a SKIP LOCKED
                )
                UPDATE offer o SET state = 'COMPLETED', completed_at = now()
                FROM agents WHERE o.agent_id = agents.id AND o.state = 'WRAP_UP' AND o.wrap_up_until <= now()
                RETURNING o.agent_id, o.capacity_units, extract(epoch FROM now() - o.wrap_up_started_at)::float8 AS seconds""")
                .execute(Tuple.of(limit)).map(rows -> {
                    List<WrapUpEnded> ended = new ArrayList<>(rows.size());
                    rows.forEach(row -> ended.add(new WrapUpEnded(row.getLong("agent_id"), row.getInteger("capacity_units"),
                            row.getDouble("seconds"))));
                    return ended;
                });
    }

    /**
     * A rejection moves the agent to the workstream's presenceAfterReject (cause OFFER_REJECTED), unless there
     * already or none is set. The agent row is locked by the rejection already.
     */
    Uni<Void> moveAfterReject(SqlClient sql, long agentId, long workstreamId) {
        return sql.preparedQuery("""
                UPDATE agent a SET presence_id = w.presence_after_reject_id, presence_cause = 'OFFER_REJECTED',
                       presence_since = now(), version = a.version + 1
                FROM workstream w
                WHERE a.id = $1 AND w.id = $2 AND w.presence_after_reject_id IS NOT NULL
                  AND a.presence_id <> w.presence_after_reject_id AND a.signed_in""")
                .execute(Tuple.of(agentId, workstreamId)).replaceWithVoid();
    }

    /** Expires the agents' pending offers (at sign-out) and returns their items. */
    Uni<List<Item>> expirePendingOf(SqlClient sql, List<Long> agentIds) {
        return sql.preparedQuery("""
                UPDATE offer SET state = 'EXPIRED' WHERE agent_id = ANY($1) AND state = 'PENDING'
                RETURNING workstream_id, work_item""")
                .execute(Tuple.of(agentIds.toArray(Long[]::new))).map(OfferRepository::items);
    }


    /** An offer of a workstream with missed notifications that ran out of time, and that workstream's miss policy. */
    record Miss(long agentId, int toInactive, Integer toSignOut) {
    }

    /** Offers the sweep expired: their items, and the misses that count (workstreams with missed notifications). */
    record Expired(List<Item> items, List<Miss> misses) {
        List<Long> missedBy() {
            return misses.stream().map(Miss::agentId).toList();
        }
    }

    /**
     * The expiry sweep, one statement per batch: claims the agents of up to {@code limit} pending offers past their
     * expiry, then those offers, and marks them EXPIRED. Every writer locks an offer's agent before the offer (answers,
     * completions, sign-outs, the wrap-up sweep), so the sweep does too, and skips agents another transaction holds
     * (answering, signing out, another replica's sweep): it never waits for a lock another writer holds, and never
     * holds an offer whose agent it could not lock. The claims are materialized so that they run once whatever the plan
     * (see Sweeps.planForCurrentTableSizes); a few times the batch is looked at, so that sweepers running at once
     * each find agents the others did not take.
     */
    Uni<Expired> expireDue(SqlClient sql, int limit) {
        return sql.preparedQuery("""
                WITH candidates AS MATERIALIZED (
                    SELECT id, agent_id FROM offer WHERE state = 'PENDING' AND expires_at <= now()
                    ORDER BY expires_at LIMIT $1 * 4
                ), agents AS MATERIALIZED (
                    SELECT a.id FROM agent a WHERE a.id IN (SELECT agent_id FROM candidates)
                    ORDER BY a.id LIMIT $1 FOR UPDATE OF a SKIP LOCKED
                ), due AS MATERIALIZED (
                    SELECT o.id FROM offer o
                    WHERE o.id IN (SELECT c.id FROM candidates c JOIN agents a ON a.id = c.agent_id)
                      AND o.state = 'PENDING' AND o.expires_at <= now()
                    ORDER BY o.id FOR UPDATE OF o SKIP LOCKED
                ), expired AS (
                    UPDATE offer o SET state = 'EXPIRED' FROM due WHERE o.id = due.id
                    RETURNING o.agent_id, o.workstream_id, o.work_item
                )
                SELECT e.agent_id, e.workstream_id, e.work_item, w.missed_notifications, w.misses_to_inactive,
                       w.misses_to_sign_out
                FROM expired e JOIN workstream w ON w.id = e.workstream_id""")
                .execute(Tuple.of(limit)).map(rows -> {
                    List<Item> items = new ArrayList<>(rows.size());
                    List<Miss> misses = new ArrayList<>();
                    rows.forEach(row -> {
                        items.add(new Item(row.getLong("workstream_id"), row.getString("work_item")));
                        if (row.getBoolean("missed_notifications")) {
                            misses.add(new Miss(row.getLong("agent_id"), row.getInteger("misses_to_inactive"),
                                    row.getInteger("misses_to_sign_out")));
                        }
                    });
                    return new Expired(items, misses);
                });
    }

    /**
     * Counts each miss in the agent's missedInARow, then applies the workstream's policy: at missesToSignOut the agent is
     * signed out (Offline), else at missesToInactive moved to Inactive (unless there already), else left as they are —
     * cause MISSED_NOTIFICATION. Agents signed out meanwhile are left alone (a sign-out expires offers, it misses none).
     * An agent has at most one pending offer, so a batch holds at most one miss per agent, and a signed-out agent has
     * no other pending offer to expire. The sweep runs it last: the change-log trigger takes the change-ordering lock,
     * which every presence change of every replica waits for.
     */
    Uni<Void> countMisses(SqlClient sql, List<Miss> misses) {
        if (misses.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return sql.preparedQuery("""
                WITH missed AS (
                    SELECT m.agent_id, a.missed_in_a_row + 1 AS in_a_row,
                           m.to_sign_out IS NOT NULL AND a.missed_in_a_row + 1 >= m.to_sign_out AS signs_out,
                           a.missed_in_a_row + 1 >= m.to_inactive AND a.presence_id <> 5 AS goes_inactive
                    FROM unnest($1::bigint[], $2::int[], $3::int[]) AS m(agent_id, to_inactive, to_sign_out)
                    JOIN agent a ON a.id = m.agent_id
                    WHERE a.signed_in
                )
                UPDATE agent a SET missed_in_a_row = m.in_a_row,
                       signed_in = NOT m.signs_out,
                       presence_id = CASE WHEN m.signs_out THEN 6 WHEN m.goes_inactive THEN 5 ELSE a.presence_id END,
                       presence_cause = CASE WHEN m.signs_out OR m.goes_inactive THEN 'MISSED_NOTIFICATION' ELSE a.presence_cause END,
                       presence_since = CASE WHEN m.signs_out OR m.goes_inactive THEN now() ELSE a.presence_since END,
                       version = a.version + CASE WHEN m.signs_out OR m.goes_inactive THEN 1 ELSE 0 END
                FROM missed m WHERE a.id = m.agent_id""")
                .execute(Tuple.of(misses.stream().map(Miss::agentId).toArray(Long[]::new),
                        misses.stream().map(Miss::toInactive).toArray(Integer[]::new),
                        misses.stream().map(Miss::toSignOut).toArray(Integer[]::new)))
                .replaceWithVoid();
    }

    /** An accepted offer ends a run of missed ones. */
    Uni<Void> forgetMisses(SqlClient sql, long agentId) {
        return sql.preparedQuery("UPDATE agent SET missed_in_a_row = 0 WHERE id = $1 AND missed_in_a_row <> 0")
                .execute(Tuple.of(agentId)).replaceWithVoid();
    }

    /** Per agent, the latest wrapUpUntil of their WRAP_UP offers (absent: not wrapping up). */
    Uni<java.util.Map<Long, java.time.OffsetDateTime>> wrapUpUntil(SqlClient sql, List<Long> agentIds) {
        return sql.preparedQuery("""
                SELECT agent_id, max(wrap_up_until) AS until FROM offer
                WHERE agent_id = ANY($1) AND state = 'WRAP_UP' GROUP BY agent_id""")
                .execute(Tuple.of(agentIds.toArray(Long[]::new))).map(rows -> {
                    java.util.Map<Long, java.time.OffsetDateTime> until = new java.util.HashMap<>();
                    rows.forEach(row -> until.put(row.getLong("agent_id"), row.getOffsetDateTime("until")));
                    return until;
                });
    }

    private static List<Item> items(RowSet<Row> rows) {
        List<Item> items = new ArrayList<>(rows.size());
        rows.forEach(row -> items.add(new Item(row.getLong("workstream_id"), row.getString("work_item"))));
        return items;
    }

    private static List<Offer> offers(RowSet<Row> rows) {
        List<Offer> list = new ArrayList<>(rows.size());
        rows.forEach(row -> list.add(Offer.fromRow(row)));
        return list;
    }
}
