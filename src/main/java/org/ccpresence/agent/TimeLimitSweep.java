package org.ccpresence.agent;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Ends time-limited presences, on every replica, exactly once across them: a signed-in agent whose presence has a time
 * limit that has run out (counted from presenceSince) moves to the presence's thenPresence, else their default
 * presence, else Available — cause TIME_LIMIT. Claims skip agents another replica (or a concurrent change) holds, and
 * the claim re-checks the row it locks, so an agent who changed meanwhile is left alone.
 */
@ApplicationScoped
class TimeLimitSweep {

    private static final Logger LOG = Logger.getLogger(TimeLimitSweep.class);
    static final int BATCH = 5000;

    private final Pool pool;
    private final Sweeps.Runs runs;

    TimeLimitSweep(Pool pool, MeterRegistry metrics) {
        this.pool = pool;
        this.runs = Sweeps.runs(metrics, LOG, "time_limit",
                "Moved %d agent(s) whose time-limited presence ran out in %d ms");
    }

    @Scheduled(every = "${presence.offers.sweep-every:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return runs.run(sweepAll());
    }

    private Uni<Integer> sweepAll() {
        return moveBatch().chain(moved -> moved < BATCH ? Uni.createFrom().item(moved) : sweepAll().map(more -> moved + more));
    }

    /** Time-limited presences are few, and only their agents are read: the presences first, then agents in them. */
    private Uni<Integer> moveBatch() {
        return pool.withTransaction(tx -> Sweeps.planForCurrentTableSizes(tx).chain(() -> tx.preparedQuery("""
                WITH due AS MATERIALIZED (
                    SELECT a.id, coalesce(tp.id, CASE WHEN dp.id <> a.presence_id THEN dp.id END, 1) AS next_id
                    FROM presence p
                    JOIN agent a ON a.presence_id = p.id
                    LEFT JOIN presence tp ON tp.id = p.then_presence_id AND tp.deleted_at IS NULL
                    LEFT JOIN presence dp ON dp.id = a.default_presence_id AND dp.deleted_at IS NULL
                    WHERE p.time_limit_seconds IS NOT NULL AND a.signed_in
                      AND a.presence_since + make_interval(secs => p.time_limit_seconds) <= now()
                    ORDER BY a.id LIMIT $1
                    FOR UPDATE OF a SKIP LOCKED
                )
                UPDATE agent a SET presence_id = due.next_id, presence_cause = 'TIME_LIMIT', presence_since = now(),
                                   version = a.version + 1
                FROM due WHERE a.id = due.id""").execute(Tuple.of(BATCH))).map(rows -> rows.rowCount()));
    }
}
