package org.ccpresence.devfloor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.agent.AgentService;
import org.ccpresence.agent.PresenceChangeCause;
import org.ccpresence.error.ApiException;
import org.ccpresence.routing.RoutingService;
import org.jboss.logging.Logger;

import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

/**
 * A gentle contact center for dev mode, through the services like any client: at each tick a few of the seeded agents
 * sign in or out, take a break and come back; work arrives on the workstreams and is accepted (then completed),
 * rejected with a reason, or left to expire (the miss policy moves the agent to Inactive, who comes back later). The
 * dev agent is left to the person at the desktop.
 */
@ApplicationScoped
@IfBuildProperty(name = "presence.dev-floor.enabled", stringValue = "true")
class DevFloorSimulator {

    private static final Logger LOG = Logger.getLogger(DevFloorSimulator.class);
    private static final List<String> REASONS = List.of("Not my language", "Need to finish the previous case", "Wrong queue");

    private final DevFloorSeed seed;
    private final Pool pool;
    private final AgentService agents;
    private final RoutingService routing;
    private final AtomicLong items = new AtomicLong(System.currentTimeMillis() / 1000);
    private Boolean floor;

    DevFloorSimulator(DevFloorSeed seed, Pool pool, AgentService agents, RoutingService routing) {
        this.seed = seed;
        this.pool = pool;
        this.agents = agents;
        this.routing = routing;
    }

    @Scheduled(every = "${presence.dev-floor.every:2s}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        Uni<Boolean> ready = floor != null ? Uni.createFrom().item(floor) : seed.ensureSeeded().invoke(seeded -> floor = seeded);
        return ready.chain(seeded -> seeded ? step() : Uni.createFrom().voidItem())
                .onFailure().recoverWithUni(e -> {
                    LOG.debugf("Dev floor: a step failed: %s", e.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }

    private Uni<Void> step() {
        return pool.query("""
                SELECT a.id, a.signed_in, p.system_presence, p.base_status,
                       (SELECT array_agg(id) FROM presence WHERE deleted_at IS NULL AND system_presence IS DISTINCT FROM 'INACTIVE'
                          AND system_presence IS DISTINCT FROM 'OFFLINE') AS choices
                FROM agent a JOIN presence p ON p.id = a.presence_id
                WHERE a.user_id LIKE 'floor-%' ORDER BY random() LIMIT 3""").execute()
                .chain(rows -> {
                    List<Uni<?>> moves = new ArrayList<>();
                    rows.forEach(row -> moves.add(move(row)));
                    return each(moves);
                })
                .chain(this::work);
    }

    /** One agent's next move, from where they are. */
    private Uni<?> move(Row agent) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long id = agent.getLong("id");
        if (!agent.getBoolean("signed_in")) {
            return random.nextInt(10) < 7 ? agents.signIn(id, null) : Uni.createFrom().voidItem();
        }
        if (random.nextInt(100) < 4) {
            return agents.signOut(id, null);
        }
        boolean available = "AVAILABLE".equals(agent.getString("base_status"));
        Long[] choices = agent.getArrayOfLongs("choices");
        // mostly back to Available; now and then a break, a meeting or training
        long next = !available || random.nextInt(10) < 2 ? (available ? choices[random.nextInt(choices.length)] : 1L) : -1L;
        return next < 0 ? Uni.createFrom().voidItem() : agents.setPresence(id, next, PresenceChangeCause.AGENT, null);
    }

    /** Work arrives now and then; the agents answer their pending offers, and accepted work is done after a while. */
    private Uni<Void> work() {
        return pool.query("""
                SELECT (SELECT array_agg(id) FROM workstream) AS workstreams,
                       (SELECT array_agg(o.id) FROM offer o JOIN agent a ON a.id = o.agent_id
                          WHERE o.state = 'PENDING' AND a.user_id LIKE 'floor-%') AS pending,
                       (SELECT array_agg(o.id) FROM offer o JOIN agent a ON a.id = o.agent_id
                          WHERE o.state = 'ACCEPTED' AND a.user_id LIKE 'floor-%'
                            AND o.responded_at < now() - interval '20 seconds') AS done""").execute()
                .chain(rows -> {
                    Row row = rows.iterator().next();
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    List<Uni<?>> steps = new ArrayList<>();
                    for (Long ws : orEmpty(row.getArrayOfLongs("workstreams"))) {
                        if (random.nextInt(10) < 4) {
                            steps.add(routing.offerWork(ws, "case-" + items.incrementAndGet()));
                        }
                    }
                    for (Long offer : orEmpty(row.getArrayOfLongs("pending"))) {
                        // each offer's fate is its own from the start: two in three taken, one in ten rejected, the
                        // rest left to expire (a miss); the answer comes a few ticks after the offer
                        int fate = (int) Math.floorMod(offer * 2_654_435_761L, 100L);
                        if (fate < 75 && random.nextInt(10) < 4) {
                            steps.add(fate < 65 ? routing.accept(offer)
                                    : routing.reject(offer, REASONS.get(random.nextInt(REASONS.size()))));
                        }
                    }
                    for (Long offer : orEmpty(row.getArrayOfLongs("done"))) {
                        if (random.nextInt(10) < 3) {
                            steps.add(routing.complete(offer));
                        }
                    }
                    return each(steps);
                });
    }

    /** Runs them one after another; a refusal (someone else acted first, nobody eligible) ends only that step. */
    private static Uni<Void> each(List<Uni<?>> steps) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Uni<?> step : steps) {
            chain = chain.chain(() -> step.replaceWithVoid().onFailure(ApiException.class).recoverWithNull().replaceWithVoid());
        }
        return chain;
    }

    private static Long[] orEmpty(Long[] ids) {
        return ids == null ? new Long[0] : ids;
    }
}
