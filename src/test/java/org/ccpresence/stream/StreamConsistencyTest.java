package org.ccpresence.stream;

import static org.ccpresence.support.Fixtures.history;
import static org.ccpresence.support.Fixtures.setPresence;
import static org.ccpresence.support.Fixtures.signedInAgent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.ccpresence.support.GraphQLWs;
import org.ccpresence.support.GraphQLWs.Protocol;
import org.ccpresence.support.TestDatabase;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonObject;

/** The stream against concurrent writers, resumes and a lost LISTEN connection: no gap, no duplicate, in order. */
@QuarkusTest
class StreamConsistencyTest {

    static final List<Integer> CYCLE = List.of(2, 3, 4, 1);
    static final Duration WAIT = Duration.ofSeconds(30);

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
    void aStalledSubscriberIsCutOffWithAResumePointThatLosesNothing() throws Exception {
        // 6 000 changes, 40 every 50 ms: far more than the subscriber buffer (1 000) plus what the sockets hold, at a
        // pace the service keeps up with, so that only the stalled socket can make the subscription fall behind
        int agentsCount = 40;
        int rounds = 150;
        List<Long> agents = new ArrayList<>();
        List<Long> expected = new ArrayList<>();
        try (Connection c = TestDatabase.connect()) {
            var created = c.createStatement().executeQuery("INSERT INTO agent (user_id, name, signed_in, presence_id) "
                    + "SELECT 'stalled-' || gen_random_uuid(), 'Stalled reader ' || g, true, 1 FROM generate_series(1, "
                    + agentsCount + ") g RETURNING id");
            while (created.next()) {
                agents.add(created.getLong(1));
            }
            Long[] ids = agents.toArray(Long[]::new);
            // A small receive buffer keeps what the kernel holds for this client far below the 6 000 changes.
            HttpClientOptions smallReceiveBuffer = new HttpClientOptions().setReceiveBufferSize(16 * 1024);
            try (GraphQLWs ws = GraphQLWs.connect(vertx, smallReceiveBuffer, RestAssured.port, Protocol.TRANSPORT_WS)) {
                var newest = c.createStatement().executeQuery("SELECT coalesce(max(sequence), 0) FROM presence_change");
                newest.next();
                // Subscribed from a known point, so that no change can slip by before the subscription is registered.
                var stalled = ws.subscribe(PresenceStreamTest.SUBSCRIPTION, Map.of(
                        "agents", agents.stream().map(String::valueOf).toList(), "after", Long.toString(newest.getLong(1))));
                // Bulk changes through the same trigger the service's own writes go through, one transaction per round.
                var change = c.prepareStatement("UPDATE agent SET presence_id = CASE presence_id WHEN 2 THEN 3 ELSE 2 END, "
                        + "presence_cause = 'SUPERVISOR', presence_since = now() WHERE id = ANY(?)");
                change.setArray(1, c.createArrayOf("bigint", new Long[] { ids[0] }));
                change.executeUpdate();
                long live = Long.parseLong(stalled.nextData(WAIT).getJsonObject("presenceChanged").getString("sequence"));
                ws.pauseReading();
                change.setArray(1, c.createArrayOf("bigint", ids));
                for (int i = 0; i < rounds; i++) {
                    change.executeUpdate();
                    Thread.sleep(50);
                }
                var logged = c.prepareStatement("SELECT sequence FROM presence_change WHERE agent_id = ANY(?) AND sequence > ? "
                        + "ORDER BY sequence");
                logged.setArray(1, c.createArrayOf("bigint", ids));
                logged.setLong(2, live);
                var rows = logged.executeQuery();
                while (rows.next()) {
                    expected.add(rows.getLong(1));
                }
                assertEquals(agentsCount * rounds, expected.size());
                Thread.sleep(2000); // the feed hands every change to the subscription, whose buffer overflows
                ws.resumeReading();

                List<Long> beforeCutOff = new ArrayList<>();
                String error = null;
                while (error == null) {
                    JsonObject m = stalled.nextMessage(WAIT);
                    int received = beforeCutOff.size();
                    assertNotNull(m, () -> "the stalled subscription neither ended nor sent more within " + WAIT + " after "
                            + received + " events; socket close status " + ws.closeStatus() + " " + ws.closeReason());
                    JsonObject payload = m.getJsonObject("payload");
                    assertEquals("next", m.getString("type"), "the subscription ends with an event that carries errors");
                    if (payload.getValue("errors") != null) {
                        error = payload.getValue("errors").toString();
                        assertNull(payload.getJsonObject("data").getValue("presenceChanged"), "the error event carries no change");
                    } else {
                        beforeCutOff.add(Long.valueOf(payload.getJsonObject("data").getJsonObject("presenceChanged").getString("sequence")));
                    }
                }
                assertThat(error, containsString("BAD_USER_INPUT"));
                assertThat(error, containsString("fell more than 1000 changes behind"));
                assertTrue(beforeCutOff.size() < expected.size(), "the subscriber was cut off before the end");
                Matcher resume = Pattern.compile("afterSequence: \\\\?\"(\\d+)").matcher(error);
                assertTrue(resume.find(), error);
                long after = Long.parseLong(resume.group(1));
                assertSameSequences(expected.stream().filter(seq -> seq <= after).toList(), beforeCutOff,
                        "everything up to the resume point was delivered, once and in order");

                List<Long> rest = expected.stream().filter(seq -> seq > after).toList();
                var resumed = ws.subscribe(PresenceStreamTest.SUBSCRIPTION, Map.of(
                        "agents", agents.stream().map(String::valueOf).toList(), "after", Long.toString(after)));
                List<Long> afterResume = resumed.take(rest.size(), Duration.ofSeconds(60)).stream()
                        .map(d -> Long.valueOf(d.getJsonObject("presenceChanged").getString("sequence"))).toList();
                assertSameSequences(rest, afterResume, "the resumed subscription delivers the rest, with no gap");
            }
        }
    }

    private static void assertSameSequences(List<Long> expected, List<Long> actual, String what) {
        int same = 0;
        while (same < Math.min(expected.size(), actual.size()) && expected.get(same).equals(actual.get(same))) {
            same++;
        }
        if (same < expected.size() || same < actual.size()) {
            fail(what + ": expected " + expected.size() + " sequences, got " + actual.size() + "; they differ from index "
                    + same + ": expected " + expected.subList(same, Math.min(same + 5, expected.size())) + "…, got "
                    + actual.subList(same, Math.min(same + 5, actual.size())) + "…");
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
