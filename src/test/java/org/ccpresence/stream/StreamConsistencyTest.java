package org.ccpresence.stream;

import static org.ccpresence.support.Fixtures.history;
import static org.ccpresence.support.Fixtures.setPresence;
import static org.ccpresence.support.Fixtures.signedInAgent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.ccpresence.support.GraphQLWs;
import org.ccpresence.support.GraphQLWs.Protocol;
import org.ccpresence.support.TestDatabase;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** The stream against concurrent writers, resumes and a lost LISTEN connection: no gap, no duplicate, in order. */
@QuarkusTest
class StreamConsistencyTest {

    static final List<Integer> CYCLE = List.of(2, 3, 4, 1);

    @Inject
    Vertx vertx;

    @Test
    void resumeWhileManyWritersCommitGetsExactlyTheCommittedChanges() throws Exception {
        int agentsCount = 8;
        int changesPerAgent = 30;
        List<String> agents = new ArrayList<>();
        for (int i = 0; i < agentsCount; i++) {
            agents.add(signedInAgent());
        }
        long start = agents.stream().mapToLong(a -> Long.parseLong((String) history(a).get(0).get("sequence"))).max().orElseThrow();

        ExecutorService writers = Executors.newFixedThreadPool(agentsCount);
        List<Future<?>> done = new ArrayList<>();
        for (String agent : agents) {
            done.add(writers.submit(() -> {
                for (int i = 0; i < changesPerAgent; i++) {
                    JsonPath r = setPresence(agent, CYCLE.get(i % CYCLE.size()));
                    assertNull(r.get("errors"), r::prettify);
                }
            }));
        }
        List<JsonObject> received = new ArrayList<>();
        try (GraphQLWs ws = GraphQLWs.connect(vertx, RestAssured.port, Protocol.TRANSPORT_WS)) {
            Thread.sleep(40); // resume while the writers are in full flow
            var sub = ws.subscribe(PresenceStreamTest.SUBSCRIPTION, Map.of("agents", agents, "after", Long.toString(start)));
            for (Future<?> f : done) {
                f.get();
            }
            writers.shutdown();
            int expectedCount = agentsCount * changesPerAgent;
            sub.take(expectedCount, Duration.ofSeconds(30)).forEach(d -> received.add(d.getJsonObject("presenceChanged")));
            sub.expectSilence(Duration.ofMillis(500));
        }

        List<Map<String, Object>> committed = new ArrayList<>();
        agents.forEach(a -> history(a).stream()
                .filter(c -> Long.parseLong((String) c.get("sequence")) > start).forEach(committed::add));
        committed.sort(Comparator.comparingLong(c -> Long.parseLong((String) c.get("sequence"))));
        assertEquals(agentsCount * changesPerAgent, committed.size());
        assertEquals(committed.stream().map(c -> c.get("sequence") + "/" + c.get("agentId") + "/" + ((Map<?, ?>) c.get("current")).get("id")).toList(),
                received.stream().map(c -> c.getString("sequence") + "/" + c.getString("agentId") + "/" + c.getJsonObject("current").getString("id")).toList(),
                "the subscriber receives exactly the committed changes, in commit order");
        for (String agent : agents) {
            List<String> seen = received.stream().filter(c -> agent.equals(c.getString("agentId")))
                    .map(c -> c.getJsonObject("current").getString("id")).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < changesPerAgent; i++) {
                expected.add(Integer.toString(CYCLE.get(i % CYCLE.size())));
            }
            assertEquals(expected, seen, "per-agent order");
        }
    }

    @Test
    void aLostListenConnectionIsCaughtUpFromTheLog() throws Exception {
        String agent = signedInAgent();
        try (GraphQLWs ws = GraphQLWs.connect(vertx, RestAssured.port, Protocol.TRANSPORT_WS)) {
            var sub = ws.subscribe(PresenceStreamTest.SUBSCRIPTION, Map.of("agents", List.of(agent)));
            Thread.sleep(300);
            try (Connection c = TestDatabase.connect()) {
                var killed = c.createStatement().executeQuery("""
                        SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                        WHERE datname = current_database() AND query LIKE 'LISTEN%'""");
                killed.next();
                assertEquals(true, killed.getInt(1) >= 1, "the replica's LISTEN connection was found and dropped");
            }
            // Committed while this replica is not listening: only the catch-up read after reconnecting can deliver it.
            setPresence(agent, 2);
            JsonObject change = sub.nextData(Duration.ofSeconds(15)).getJsonObject("presenceChanged");
            assertEquals("2", change.getJsonObject("current").getString("id"));
        }
    }

    @Test
    void groupCommitAnswersEachCallerOnItsOwn() throws Exception {
        int callers = 40;
        List<String> agents = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            agents.add(i % 4 == 0 ? org.ccpresence.support.Fixtures.createAgent() : signedInAgent());
        }
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        List<Future<JsonPath>> answers = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            String agent = agents.get(i);
            int presence = i % 7 == 3 ? 5 : 3;
            answers.add(pool.submit(() -> setPresence(agent, presence)));
        }
        for (int i = 0; i < callers; i++) {
            JsonPath r = answers.get(i).get();
            if (i % 7 == 3) {
                assertEquals("FORBIDDEN", r.getString("errors[0].extensions.code"), r::prettify);
            } else if (i % 4 == 0) {
                assertEquals("BAD_USER_INPUT", r.getString("errors[0].extensions.code"), r::prettify);
            } else {
                assertNull(r.get("errors"), r::prettify);
                assertEquals(agents.get(i), r.getString("data.setPresence.id"));
                assertEquals("3", r.getString("data.setPresence.presence.id"));
            }
        }
        pool.shutdown();
    }

    @Test
    void racingCallsForOneAgentChainInCommitOrder() throws Exception {
        String agent = signedInAgent();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<JsonPath>> answers = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int presence = CYCLE.get(i % CYCLE.size());
            answers.add(pool.submit(() -> setPresence(agent, presence)));
        }
        for (Future<JsonPath> f : answers) {
            assertNull(f.get().get("errors"));
        }
        pool.shutdown();
        List<Map<String, Object>> h = new ArrayList<>(history(agent));
        java.util.Collections.reverse(h);
        for (int i = 1; i < h.size(); i++) {
            assertEquals(((Map<?, ?>) h.get(i - 1).get("current")).get("id"), ((Map<?, ?>) h.get(i).get("previous")).get("id"),
                    "each change starts where the previous one ended");
        }
    }
}
