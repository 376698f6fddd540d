package org.ccpresence.desktop;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.ccpresence.error.Stopping;
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
 * agent). Counted in memory per user id; once a second the agents with one are written to desktop_connection (one row
 * per agent and replica), together with the replica's heartbeat. An agent whose last connection here closed gets
 * desktop_last_seen_at, from which the disconnect grace counts. A desktop that closes and comes back between two
 * writes changes nothing in the database. The write is the only database access: a failed one is retried in full by
 * the next, so no connection goes uncounted because a lookup failed.
 */
@ApplicationScoped
public class DesktopConnections implements SocketWatcher {

    private static final Logger LOG = Logger.getLogger(DesktopConnections.class);

    private final Pool pool;
    private final UUID replica = UUID.randomUUID();
    private final Map<Object, String> userOfSocket = new ConcurrentHashMap<>();
    private final Map<String, Integer> socketsPerUser = new ConcurrentHashMap<>();
    /**
     * The agent of each user whose row for this replica is in desktop_connection (as far as the last successful write
     * knows); the agent is the one the row was written for, even if the user id of that agent changed since.
     */
    private final Map<String, Long> written = new HashMap<>();

    DesktopConnections(Pool pool) {
        this.pool = pool;
    }

    @Override
    public void holding(Object socket, Caller caller) {
        if (caller.roles().contains(Roles.AGENT) && userOfSocket.putIfAbsent(socket, caller.subject()) == null) {
            socketsPerUser.merge(caller.subject(), 1, Integer::sum);
        }
    }

    @Override
    public void released(Object socket) {
        String user = userOfSocket.remove(socket);
        if (user != null) {
            socketsPerUser.computeIfPresent(user, (id, sockets) -> sockets == 1 ? null : sockets - 1);
        }
    }

    /** The heartbeat, and what changed since the last write. */
    @Scheduled(every = "${presence.desktop.sync-every:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sync() {
        Set<String> connected = Set.copyOf(socketsPerUser.keySet());
        return pool.withTransaction(tx -> heartbeat(tx).chain(rowWasGone -> {
            // rowWasGone: the first beat, or the others found this replica dead and removed its rows
            Map<String, Long> before;
            synchronized (written) {
                before = rowWasGone ? Map.of() : Map.copyOf(written);
            }
            List<String> opened = connected.stream().filter(user -> !before.containsKey(user)).toList();
            Map<String, Long> kept = new HashMap<>(before);
            kept.keySet().retainAll(connected);
            List<Long> closed = before.entrySet().stream().filter(e -> !connected.contains(e.getKey()))
                    .map(Map.Entry::getValue).toList();
            return open(tx, opened).invoke(kept::putAll).chain(() -> close(tx, closed)).replaceWith(kept);
        })).invoke(nowWritten -> {
            synchronized (written) { // only once committed: a failed write is tried again in full
                written.clear();
                written.putAll(nowWritten);
            }
        }).onFailure().recoverWithItem(failure -> {
            LOG.log(Stopping.underway() ? Logger.Level.DEBUG : Logger.Level.WARN, "Desktop connections not written; the next run retries", failure);
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

    /** Writes the rows of the users' agents; returns the agent of each user who has one (others are tried again). */
    private Uni<Map<String, Long>> open(SqlConnection tx, List<String> users) {
        if (users.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return tx.preparedQuery("""
                WITH agents AS (SELECT id, user_id FROM agent WHERE user_id = ANY($1)),
                written AS (
                    INSERT INTO desktop_connection (agent_id, replica_id) SELECT id, $2 FROM agents ON CONFLICT DO NOTHING
                )
                SELECT id, user_id FROM agents""").execute(Tuple.of(users.toArray(String[]::new), replica))
                .map(rows -> {
                    Map<String, Long> agents = new HashMap<>();
                    rows.forEach(row -> agents.put(row.getString("user_id"), row.getLong("id")));
                    return agents;
                });
    }

    private Uni<Void> close(SqlConnection tx, List<Long> agents) {
        if (agents.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("""
                WITH gone AS (
                    DELETE FROM desktop_connection WHERE replica_id = $2 AND agent_id = ANY($1) RETURNING agent_id
                )
                UPDATE agent SET desktop_last_seen_at = now() WHERE id IN (SELECT agent_id FROM gone)""")
                .execute(Tuple.of(agents.toArray(Long[]::new), replica)).replaceWithVoid();
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
