package org.ccpresence.desktop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.agent.PendingWork;
import org.ccpresence.agent.Sweeps;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Disconnect grace, on every replica, exactly once across them: a replica silent for longer than the replica timeout
 * is dead, and its desktop connections count as closed at its last heartbeat; a signed-in agent who has had a desktop
 * connection since signing in and has had none for longer than the grace is signed out (cause DISCONNECTED), their
 * pending offers expired and passed on. Agents who never opened a desktop since signing in are never signed out here.
 */
@ApplicationScoped
class DisconnectSweep {

    private static final Logger LOG = Logger.getLogger(DisconnectSweep.class);
    private static final int BATCH = 2500;

    private final Pool pool;
    private final PendingWork pendingWork;
    private final Sweeps.Runs runs;
    private final Duration grace;
    private final Duration replicaTimeout;

    DisconnectSweep(Pool pool, PendingWork pendingWork, MeterRegistry metrics,
            @ConfigProperty(name = "presence.desktop.grace", defaultValue = "90s") Duration grace,
            @ConfigProperty(name = "presence.desktop.replica-timeout", defaultValue = "15s") Duration replicaTimeout) {
        this.pool = pool;
        this.pendingWork = pendingWork;
        this.runs = Sweeps.runs(metrics, LOG, "disconnect",
                "Signed out %d agent(s) whose desktops were gone for longer than the grace, in %d ms");
        this.grace = grace;
        this.replicaTimeout = replicaTimeout;
    }

    @Scheduled(every = "${presence.offers.sweep-every:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return runs.run(buryDeadReplicas().chain(() -> signOutAll(0)));
    }

    /** Removes silent replicas; their desktops were last seen at the replica's last heartbeat. */
    Uni<Void> buryDeadReplicas() {
        return pool.withTransaction(tx -> tx.preparedQuery("""
                WITH dead AS (
                    DELETE FROM replica WHERE last_seen < now() - make_interval(secs => $1) RETURNING id, last_seen
                ), last_seen AS (
                    SELECT dc.agent_id, max(d.last_seen) AS at
                    FROM desktop_connection dc JOIN dead d ON d.id = dc.replica_id GROUP BY dc.agent_id
                ), folded AS (
                    UPDATE agent a SET desktop_last_seen_at = greatest(a.desktop_last_seen_at, l.at)
                    FROM last_seen l WHERE a.id = l.agent_id
                )
                SELECT count(*) FROM dead""").execute(Tuple.of(seconds(replicaTimeout))).invoke(rows -> {
                    long dead = rows.iterator().next().getLong(0);
                    if (dead > 0) {
                        LOG.warnf("%d replica(s) silent for more than %s: their desktop connections count as closed", dead, replicaTimeout);
                    }
                })).replaceWithVoid();
    }

    /** Batches until one comes back short; returns how many agents were signed out. */
    private Uni<Integer> signOutAll(int before) {
        return signOutBatch().chain(signedOut -> signedOut.size() < BATCH ? Uni.createFrom().item(before + signedOut.size())
                : signOutAll(before + signedOut.size()));
    }

    /** One transaction: signs out up to a batch of agents whose grace is over, and passes their pending offers on. */
    Uni<List<Long>> signOutBatch() {
        return pool.withTransaction(tx -> Sweeps.planForCurrentTableSizes(tx).chain(() -> tx.preparedQuery("""
                WITH due AS MATERIALIZED (
                    SELECT a.id FROM agent a
                    WHERE a.signed_in AND a.desktop_last_seen_at IS NOT NULL
                      AND a.desktop_last_seen_at >= a.signed_in_at
                      AND a.desktop_last_seen_at < now() - make_interval(secs => $1)
                      AND NOT EXISTS (SELECT 1 FROM desktop_connection dc WHERE dc.agent_id = a.id)
                    ORDER BY a.id LIMIT $2
                    FOR UPDATE OF a SKIP LOCKED
                )
                UPDATE agent a SET signed_in = false, presence_id = 6, presence_cause = 'DISCONNECTED',
                                   presence_since = now(), version = a.version + 1
                FROM due WHERE a.id = due.id
                RETURNING a.id""").execute(Tuple.of(seconds(grace), BATCH))).chain(rows -> {
                    List<Long> ids = new ArrayList<>(rows.size());
                    rows.forEach(row -> ids.add(row.getLong(0)));
                    if (ids.isEmpty()) {
                        return Uni.createFrom().item(ids);
                    }
                    return pendingWork.releaseOnSignOut(tx, ids).replaceWith(ids);
                }));
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }
}
