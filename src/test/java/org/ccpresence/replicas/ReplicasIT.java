package org.ccpresence.replicas;

import static org.ccpresence.support.GraphQL.postTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.ccpresence.support.GraphQL;
import org.ccpresence.support.GraphQLWs;
import org.ccpresence.support.GraphQLWs.Protocol;
import org.ccpresence.support.Replica;
import org.ccpresence.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** Two replicas of the packaged service on one database. */
class ReplicasIT {

    static final String SUBSCRIPTION = """
            subscription($agents: [ID!], $after: ID) {
              presenceChanged(agentIds: $agents, afterSequence: $after) { sequence agentId cause current { id } }
            }""";

    static Replica a;
    static Replica b;
    static Vertx vertx;

    @BeforeAll
    static void startReplicas() throws Exception {
        new TestDatabase().start();
        // Both replicas sweep often and in small batches, so that their sweeps interleave and contend.
        Map<String, String> eagerSweeps = Map.of("PRESENCE_OFFERS_SWEEP_EVERY", "100ms", "PRESENCE_OFFERS_SWEEP_BATCH", "3");
        a = Replica.start("a", eagerSweeps);
        b = Replica.start("b", eagerSweeps);
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopReplicas() throws Exception {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    static String agentOn(Replica replica) {
        String userId = GraphQL.unique("replica-user");
        JsonPath created = postTo(replica.port, "mutation($in: AgentInput!) { createAgent(input: $in) { id } }",
                "in", Map.of("userId", userId, "name", userId));
        String id = created.getString("data.createAgent.id");
        assertNull(postTo(replica.port, "mutation($a: ID) { signIn(agentId: $a) { id } }", "a", id).get("errors"));
        return id;
    }

    static JsonPath setPresence(Replica replica, String agent, int presence) {
        return postTo(replica.port, "mutation($a: ID, $p: ID!) { setPresence(agentId: $a, presenceId: $p) { id } }",
                "a", agent, "p", presence);
    }

    static long lastSequence(Replica replica, String agent) {
        return Long.parseLong(postTo(replica.port, "query($a: ID!) { presenceHistory(agentId: $a, first: 1) { sequence } }",
                "a", agent).getString("data.presenceHistory[0].sequence"));
    }

    @Test
    void everyExpiryInactiveMoveAndReofferHappensOnceWithTwoSweepingReplicas() throws Exception {
        JsonPath created = postTo(a.port, "mutation($in: WorkstreamInput!) { createWorkstream(input: $in) { id } }", "in",
                Map.of("name", GraphQL.unique("Replicated"), "type", "MESSAGING", "allowedPresences", List.of("AVAILABLE"),
                        "missedNotifications", true, "offerTimeoutSeconds", 3600));
        String ws = created.getString("data.createWorkstream.id");
        int items = 15;
        List<String> members = new ArrayList<>();
        for (int i = 0; i < items * 2; i++) {
            Replica r = i % 2 == 0 ? a : b;
            String userId = GraphQL.unique("member");
            String id = postTo(r.port, "mutation($in: AgentInput!) { createAgent(input: $in) { id } }",
                    "in", Map.of("userId", userId, "name", userId, "workstreamIds", List.of(ws))).getString("data.createAgent.id");
            postTo(r.port, "mutation($a: ID) { signIn(agentId: $a) { id } }", "a", id);
            members.add(id);
        }
        List<String> offers = new ArrayList<>();
        List<String> workItems = new ArrayList<>();
        List<String> firstAgents = new ArrayList<>();
        for (int i = 0; i < items; i++) {
            String item = GraphQL.unique("item");
            JsonPath r = postTo((i % 2 == 0 ? a : b).port,
                    "mutation($w: ID!, $i: String!) { offerWork(workstreamId: $w, workItem: $i) { id agent { id } } }", "w", ws, "i", item);
            offers.add(r.getString("data.offerWork.id"));
            firstAgents.add(r.getString("data.offerWork.agent.id"));
            workItems.add(item);
        }
        org.ccpresence.support.Clock.expireNow(offers.toArray(String[]::new));

        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<Map<String, Object>> all;
        do {
            Thread.sleep(200);
            all = postTo(a.port, "query { offers { id state workItem agent { id } } }").getList("data.offers");
        } while (all.stream().filter(o -> workItems.contains(o.get("workItem"))).count() < items * 2L && System.nanoTime() < deadline);
        Thread.sleep(1000); // both replicas keep sweeping: nothing more may happen

        all = postTo(a.port, "query { offers { id state workItem agent { id } } }").getList("data.offers");
        for (int i = 0; i < items; i++) {
            String item = workItems.get(i);
            List<Map<String, Object>> ofItem = all.stream().filter(o -> item.equals(o.get("workItem"))).toList();
            assertEquals(List.of("PENDING", "EXPIRED"), ofItem.stream().map(o -> o.get("state")).toList(),
                    "item " + item + " expired once and was offered again once");
        }
        for (String agent : firstAgents) {
            long moves = postTo(b.port, "query($a: ID!) { presenceHistory(agentId: $a) { cause } }", "a", agent)
                    .getList("data.presenceHistory.cause", String.class).stream().filter("MISSED_NOTIFICATION"::equals).count();
            assertEquals(1, moves, "agent " + agent + " moved to Inactive exactly once");
        }
        List<String> reoffered = all.stream().filter(o -> workItems.contains(o.get("workItem")) && "PENDING".equals(o.get("state")))
                .map(o -> (String) ((Map<?, ?>) o.get("agent")).get("id")).toList();
        assertEquals(items, new java.util.HashSet<>(reoffered).size(), "each re-offer went to a different agent");
        assertTrue(reoffered.stream().noneMatch(firstAgents::contains), "nobody got back the item they missed");
    }

    /** 60 agents whose breaks run out together, two replicas sweeping: each agent moved once, by one of them. */
    @Test
    void timeLimitsRunOutOnceWithTwoSweepingReplicas() throws Exception {
        String limited = postTo(a.port, "mutation($in: PresenceInput!) { createPresence(input: $in) { id } }", "in",
                Map.of("name", GraphQL.unique("Replica break"), "presenceText", "Break", "baseStatus", "AWAY",
                        "timeLimitSeconds", 2, "thenPresenceId", "2")).getString("data.createPresence.id");
        List<String> agents = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String agent = agentOn(i % 2 == 0 ? a : b);
            assertNull(postTo((i % 2 == 0 ? a : b).port, "mutation($a: ID, $p: ID!) { setPresence(agentId: $a, presenceId: $p) { id } }",
                    "a", agent, "p", limited).get("errors"));
            agents.add(agent);
        }
        Thread.sleep(2000 + 3000);
        for (String agent : agents) {
            List<String> causes = postTo(b.port, "query($a: ID!) { presenceHistory(agentId: $a) { cause } }", "a", agent)
                    .getList("data.presenceHistory.cause");
            assertEquals(1, causes.stream().filter("TIME_LIMIT"::equals).count(), "agent " + agent + ": " + causes);
            assertEquals("2", postTo(a.port, "query($a: ID!) { agent(id: $a) { presence { id } } }", "a", agent)
                    .getString("data.agent.presence.id"));
        }
        long byA = moved(a);
        long byB = moved(b);
        System.out.printf("time limits: 60 agents moved once each, %d by replica a and %d by replica b%n", byA, byB);
        assertEquals(60, byA + byB, "the replicas' own accounts add up to one move per agent");
    }

    /** What a replica's log says it moved for time limits. */
    private static long moved(Replica replica) throws Exception {
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("Moved (\\d+) agent\\(s\\) whose time-limited presence ran out");
        return java.nio.file.Files.readAllLines(replica.log).stream().map(line::matcher).filter(java.util.regex.Matcher::find)
                .mapToLong(m -> Long.parseLong(m.group(1))).sum();
    }

    @Test
    void aChangeCommittedOnOneReplicaReachesSubscribersOfTheOther() throws Exception {
        String agent = agentOn(b);
        for (Protocol protocol : Protocol.values()) {
            try (GraphQLWs ws = GraphQLWs.connect(vertx, a.port, protocol)) {
                var sub = ws.subscribe(SUBSCRIPTION, Map.of("agents", List.of(agent)));
                Thread.sleep(300);
                assertNull(setPresence(b, agent, 2).get("errors"));
                assertNull(setPresence(b, agent, 4).get("errors"));
                List<String> seen = sub.take(2, Duration.ofSeconds(10)).stream()
                        .map(d -> d.getJsonObject("presenceChanged").getJsonObject("current").getString("id")).toList();
                assertEquals(List.of("2", "4"), seen, protocol.name());
                assertNull(setPresence(b, agent, 1).get("errors"));
                sub.take(1, Duration.ofSeconds(10));
            }
        }
    }

    @Test
    void writersOnBothReplicasAndAResumingSubscriberAgreeOnEveryChange() throws Exception {
        int perReplica = 6;
        int changes = 25;
        List<String> agents = new ArrayList<>();
        List<Replica> writerOf = new ArrayList<>();
        for (int i = 0; i < perReplica * 2; i++) {
            Replica r = i % 2 == 0 ? a : b;
            agents.add(agentOn(r));
            writerOf.add(r);
        }
        long start = agents.stream().mapToLong(x -> lastSequence(a, x)).max().orElseThrow();
        ExecutorService pool = Executors.newFixedThreadPool(agents.size());
        List<Future<?>> done = new ArrayList<>();
        int[] cycle = { 2, 3, 4, 1 };
        for (int i = 0; i < agents.size(); i++) {
            String agent = agents.get(i);
            Replica replica = writerOf.get(i);
            done.add(pool.submit(() -> {
                for (int n = 0; n < changes; n++) {
                    JsonPath r = setPresence(replica, agent, cycle[n % cycle.length]);
                    assertNull(r.get("errors"), r::prettify);
                }
            }));
        }
        List<JsonObject> received = new ArrayList<>();
        try (GraphQLWs ws = GraphQLWs.connect(vertx, a.port, Protocol.TRANSPORT_WS)) {
            Thread.sleep(50);
            var sub = ws.subscribe(SUBSCRIPTION, Map.of("agents", agents, "after", Long.toString(start)));
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            sub.take(agents.size() * changes, Duration.ofSeconds(30)).forEach(d -> received.add(d.getJsonObject("presenceChanged")));
            sub.expectSilence(Duration.ofMillis(500));
        }
        List<Long> committed = new ArrayList<>();
        for (String agent : agents) {
            postTo(b.port, "query($a: ID!) { presenceHistory(agentId: $a, first: 1000) { sequence } }", "a", agent)
                    .getList("data.presenceHistory.sequence", String.class).stream().map(Long::parseLong)
                    .filter(s -> s > start).forEach(committed::add);
        }
        committed.sort(Comparator.naturalOrder());
        assertEquals(agents.size() * changes, committed.size());
        assertEquals(committed, received.stream().map(c -> Long.parseLong(c.getString("sequence"))).toList(),
                "exactly the committed changes, each once, in sequence order");
    }
}
