package org.ccpresence.devfloor;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.agent.AgentInput;
import org.ccpresence.agent.AgentService;
import org.ccpresence.presence.BaseStatus;
import org.ccpresence.presence.PresenceInput;
import org.ccpresence.presence.PresenceService;
import org.ccpresence.workstream.WorkstreamInput;
import org.ccpresence.workstream.WorkstreamService;
import org.ccpresence.workstream.WorkstreamType;
import org.jboss.logging.Logger;

import io.quarkus.arc.properties.IfBuildProperty;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The contact center a first dev run opens onto, made through the services (so every rule and the change log apply):
 * four custom presences, three workstreams and 40 agents whose user ids start with {@value #PREFIX}, plus the agent of
 * the dev agent token. Only on a database with no agent, workstream or custom presence: it never touches real data.
 */
@ApplicationScoped
@IfBuildProperty(name = "presence.dev-floor.enabled", stringValue = "true")
class DevFloorSeed {

    private static final Logger LOG = Logger.getLogger(DevFloorSeed.class);
    static final String PREFIX = "floor-";
    static final int AGENTS = 40;
    /** The user id of the agent token GET /dev/tokens hands out: the desktop opens on a seeded agent. */
    static final String DEV_AGENT = "dev-agent";
    private static final List<String> NAMES = List.of("Ada", "Ben", "Cleo", "Dev", "Elif", "Finn", "Gia", "Hugo", "Ines",
            "Jonas", "Kira", "Liam", "Maja", "Noah", "Olga", "Pim", "Rosa", "Sami", "Tuva", "Umar");
    private static final List<String> SURNAMES = List.of("Jensen", "Okafor");

    private final Pool pool;
    private final PresenceService presences;
    private final WorkstreamService workstreams;
    private final AgentService agents;

    DevFloorSeed(Pool pool, PresenceService presences, WorkstreamService workstreams, AgentService agents) {
        this.pool = pool;
        this.presences = presences;
        this.workstreams = workstreams;
        this.agents = agents;
    }

    /** Seeds an empty database; true when the floor's agents are there (seeded now or on an earlier run). */
    Uni<Boolean> ensureSeeded() {
        return pool.query("""
                SELECT (SELECT count(*) FROM agent) AS agents, (SELECT count(*) FROM workstream) AS workstreams,
                       (SELECT count(*) FROM presence WHERE system_presence IS NULL) AS custom,
                       (SELECT count(*) FROM agent WHERE user_id LIKE 'floor-%') AS floor""").execute()
                .chain(rows -> {
                    var row = rows.iterator().next();
                    if (row.getLong("floor") > 0) {
                        return Uni.createFrom().item(true);
                    }
                    if (row.getLong("agents") + row.getLong("workstreams") + row.getLong("custom") > 0) {
                        LOG.info("Dev floor: the database already holds agents, workstreams or custom presences; nothing seeded, nothing simulated");
                        return Uni.createFrom().item(false);
                    }
                    return seed().replaceWith(true);
                });
    }

    private Uni<Void> seed() {
        return presence("Lunch", "Out for lunch", BaseStatus.AWAY, null)
                .chain(() -> presence("Coffee break", "Back in 10 minutes", BaseStatus.AWAY, 600))
                .chain(() -> presence("Training", "In training – do not disturb", BaseStatus.BUSY_DND, null))
                .chain(() -> presence("Team meeting", "In the team meeting", BaseStatus.BUSY, null))
                .chain(() -> workstream("Chat", WorkstreamType.MESSAGING, 20, 0))
                .chain(chat -> workstream("Voice", WorkstreamType.VOICE, 15, 10)
                        .chain(voice -> workstream("Email", WorkstreamType.RECORD, 30, 0)
                                .chain(email -> agents(List.of(chat, voice, email)))))
                .invoke(() -> LOG.infof("Dev floor: seeded 4 custom presences, 3 workstreams and %d agents (off with "
                        + "-Dpresence.dev-floor.enabled=false)", AGENTS + 1));
    }

    private Uni<Long> presence(String name, String text, BaseStatus base, Integer timeLimitSeconds) {
        PresenceInput input = new PresenceInput(name, text, base, "Seeded for the dev floor");
        input.timeLimitSeconds = timeLimitSeconds;
        input.given = Set.of("timeLimitSeconds", "thenPresenceId");
        return presences.create(input).map(p -> p.id);
    }

    private Uni<Long> workstream(String name, WorkstreamType type, int offerTimeoutSeconds, int wrapUpSeconds) {
        WorkstreamInput input = new WorkstreamInput();
        input.name = name;
        input.type = type;
        input.allowedPresences = List.of(BaseStatus.AVAILABLE);
        input.missedNotifications = true;
        input.offerTimeoutSeconds = offerTimeoutSeconds;
        input.wrapUpSeconds = wrapUpSeconds;
        return workstreams.create(input).map(w -> w.id);
    }

    /** Each seeded agent in one or two workstreams; the dev agent in all three. */
    private Uni<Void> agents(List<Long> workstreamIds) {
        List<AgentInput> inputs = new ArrayList<>();
        for (int i = 0; i < AGENTS; i++) {
            AgentInput input = new AgentInput();
            input.userId = PREFIX + (i + 1);
            input.name = NAMES.get(i % NAMES.size()) + " " + SURNAMES.get(i / NAMES.size());
            input.workstreamIds = i % 3 == 0 ? List.of(workstreamIds.get(i % 3), workstreamIds.get((i + 1) % 3))
                    : List.of(workstreamIds.get(i % 3));
            inputs.add(input);
        }
        AgentInput dev = new AgentInput();
        dev.userId = DEV_AGENT;
        dev.name = "Dev Agent (you)";
        dev.workstreamIds = workstreamIds;
        inputs.add(dev);
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (AgentInput input : inputs) {
            chain = chain.chain(() -> agents.create(input)).replaceWithVoid();
        }
        return chain;
    }
}
