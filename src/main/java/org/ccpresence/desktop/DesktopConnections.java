package org.ccpresence.desktop;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.ccpresence.graphql.SocketWatcher;
import org.ccpresence.security.Caller;
import org.ccpresence.security.Roles;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * This replica's desktop connections: WebSockets holding open subscriptions made with an agent's own token (role
 * agent). Counted in memory per agent; once a second the set of agents with one is written to desktop_connection
 * (one row per agent and replica), together with the replica's heartbeat. An agent whose last connection here closed
 * gets desktop_last_seen_at, from which the disconnect grace counts. A desktop that closes and comes back between two
 * writes changes nothing in the database.
 */
@ApplicationScoped
public class DesktopConnections implements SocketWatcher {

    private static final Logger LOG = Logger.getLogger(DesktopConnections.class);
    private static final long LOOKING_UP = -1;

    private final Pool pool;
    private final UUID replica = UUID.randomUUID();
    private final Map<Object, Long> agentOfSocket = new ConcurrentHashMap<>();
    private final Map<Long, Integer> socketsPerAgent = new ConcurrentHashMap<>();
    /** Agents whose row for this replica is in desktop_connection (as far as the last successful write knows). */
    private final Set<Long> written = new HashSet<>();

    DesktopConnections(Pool pool) {
        this.pool = pool;
    }

    @Override
    public void holding(Object socket, Caller caller) {
        if (!caller.roles().contains(Roles.AGENT)) {
            return;
        }
        agentOfSocket.put(socket, LOOKING_UP);
        pool.preparedQuery("SELECT id FROM agent WHERE user_id = $1").execute(Tuple.of(caller.subject())).subscribe().with(
                rows -> {
                    Long agent = rows.size() == 0 ? null : rows.iterator().next().getLong(0);
                    if (agent == null) {
                        agentOfSocket.remove(socket, LOOKING_UP);
                    } else if (agentOfSocket.replace(socket, LOOKING_UP, agent)) {
                        socketsPerAgent.merge(agent, 1, Integer::sum);
                    }
                },
                failure -> agentOfSocket.remove(socket, LOOKING_UP));
    }

    @Override
    public void released(Object socket) {
        Long agent = agentOfSocket.remove(socket);
        if (agent != null && agent != LOOKING_UP) {
            socketsPerAgent.computeIfPresent(agent, (id, sockets) -> sockets == 1 ? null : sockets - 1);
        }
    }

    /** The heartbeat, and what changed since the last write. */
    @Scheduled(every = "${presence.desktop.sync-every:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sync() {
        Set<Long> connected = Set.copyOf(socketsPerAgent.keySet());
        return pool.withTransaction(tx -> heartbeat(tx).chain(rowWasGone -> {
            // rowWasGone: the first beat, or the others found this replica dead and removed its rows
            Set<Long> before;
            synchronized (written) {
                before = rowWasGone ? Set.of() : Set.copyOf(written);
            }
            List<Long> opened = connected.stream().filter(id -> !before.contains(id)).toList();
            List<Long> closed = before.stream().filter(id -> !connected.contains(id)).toList();
            return write(tx, opened, closed).replaceWith(connected);
        })).invoke(nowWritten -> {
            synchronized (written) { // only once committed: a failed write is tried again in full
                written.clear();
                written.addAll(nowWritten);
            }
        }).onFailure().recoverWithItem(failure -> {
            LOG.warn("Desktop connections not written; the next run retries", failure);
            return null;
        }).replaceWithVoid();
    }

    /** Returns whether this replica's row had to be created (so none of its connection rows are there). */
    private Uni<Boolean> heartbeat(SqlConnection tx) {
        return tx.preparedQuery("""
                INSERT INTO replica (id, last_seen) VALUES ($1, now())
                ON CONFLICT (id) DO UPDATE SET last_seen = now()
                RETURNING xmax = 0 AS created""").execute(Tuple.of(replica))
                .map(rows -> rows.iterator().next().getBoolean("created"));
    }

    private Uni<Void> write(SqlConnection tx, List<Long> opened, List<Long> closed) {
        Uni<Void> open = opened.isEmpty() ? Uni.createFrom().voidItem() : tx.preparedQuery("""
                INSERT INTO desktop_connection (agent_id, replica_id)
                SELECT id, $2 FROM agent WHERE id = ANY($1)
                ON CONFLICT DO NOTHING""").execute(Tuple.of(opened.toArray(Long[]::new), replica)).replaceWithVoid();
        if (closed.isEmpty()) {
            return open;
        }
        return open.chain(() -> tx.preparedQuery("""
                WITH gone AS (
                    DELETE FROM desktop_connection WHERE replica_id = $2 AND agent_id = ANY($1) RETURNING agent_id
                )
                UPDATE agent SET desktop_last_seen_at = now() WHERE id IN (SELECT agent_id FROM gone)""")
                .execute(Tuple.of(closed.toArray(Long[]::new), replica)).replaceWithVoid());
    }

    /** A replica that stops cleanly closes its desktops' connections now, so that their grace starts now. */
    void onStop(@Observes ShutdownEvent event) {
        try {
            pool.withTransaction(tx -> tx.preparedQuery("""
                    WITH gone AS (DELETE FROM desktop_connection WHERE replica_id = $1 RETURNING agent_id)
                    UPDATE agent SET desktop_last_seen_at = now() WHERE id IN (SELECT agent_id FROM gone)""")
                    .execute(Tuple.of(replica))
                    .chain(() -> tx.preparedQuery("DELETE FROM replica WHERE id = $1").execute(Tuple.of(replica))))
                    .await().atMost(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.warn("Desktop connections not closed at shutdown; the other replicas will find this one silent", e);
        }
    }
}
