package org.ccpresence.presence;

import static org.ccpresence.support.Fixtures.createAgent;
import static org.ccpresence.support.Fixtures.history;
import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.Fixtures.setPresence;
import static org.ccpresence.support.Fixtures.signIn;
import static org.ccpresence.support.Fixtures.signOut;
import static org.ccpresence.support.GraphQL.errorCode;
import static org.ccpresence.support.GraphQL.errorMessage;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.ccpresence.support.GraphQLWs;
import org.ccpresence.support.GraphQLWs.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** Time-limited presences (contract, "Presence that manages itself"). The sweep runs every second in the tests. */
@QuarkusTest
class TimeLimitTest {

    static final String CREATE = "mutation($in: PresenceInput!) { createPresence(input: $in) { id timeLimitSeconds thenPresence { id } } }";
    static final String UPDATE = "mutation($id: ID!, $in: PresenceInput!) { updatePresence(id: $id, input: $in) { id timeLimitSeconds thenPresence { id } } }";
    /** The rule: within one sweep period (1 s) and a second; the waits allow a little more for a busy test machine. */
    static final Duration WITHIN = Duration.ofSeconds(4);

    @Inject
    Vertx vertx;

    static Map<String, Object> input(String name, Integer seconds, Object then) {
        Map<String, Object> in = new HashMap<>();
        in.put("name", name);
        in.put("presenceText", name);
        in.put("baseStatus", "AWAY");
        in.put("timeLimitSeconds", seconds);
        in.put("thenPresenceId", then);
        return in;
    }

    static String timeLimited(int seconds, Object then) {
        return required(post(CREATE, "in", input(unique("Break"), seconds, then)), "data.createPresence.id");
    }

    static JsonPath agent(String id) {
        return post("query($a: ID!) { agent(id: $a) { presence { id } presenceSince presenceUntil } }", "a", id);
    }

    /** Waits until the agent's newest change has the cause, and returns it. */
    static Map<String, Object> awaitChange(String agent, String cause, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, Object> newest = history(agent).get(0);
            if (cause.equals(newest.get("cause"))) {
                return newest;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + cause + " change within " + within + "; history: " + history(agent));
    }

    @Test
    void anAgentWhoseBreakRunsOutMovesToItsThenPresenceOnce() throws Exception {
        String lunch = timeLimited(2, 3);
        String agent = createAgent();
        signIn(agent);
        setPresence(agent, lunch);
        JsonPath in = agent(agent);
        OffsetDateTime since = OffsetDateTime.parse(in.getString("data.agent.presenceSince"));
        assertEquals(since.plusSeconds(2).toInstant(), OffsetDateTime.parse(in.getString("data.agent.presenceUntil")).toInstant());

        Map<String, Object> moved = awaitChange(agent, "TIME_LIMIT", Duration.ofSeconds(2).plus(WITHIN));
        assertEquals(lunch, ((Map<?, ?>) moved.get("previous")).get("id"));
        assertEquals("3", ((Map<?, ?>) moved.get("current")).get("id"), "to thenPresence");
        assertTrue(Duration.between(since, OffsetDateTime.parse((String) moved.get("at"))).toMillis() <= 2_000 + 2_000,
                "within one sweep period and a second of presenceUntil");
        assertNull(agent(agent).get("data.agent.presenceUntil"));
        Thread.sleep(1500);
        assertEquals(1, history(agent).stream().filter(c -> "TIME_LIMIT".equals(c.get("cause"))).count(), "once");
    }

    @Test
    void withoutThenPresenceTheAgentGoesToTheirDefaultPresenceElseAvailable() throws Exception {
        String limited = timeLimited(1, null);
        String withDefault = createAgent("4", null);
        String withoutDefault = createAgent();
        signIn(withDefault);
        signIn(withoutDefault);
        setPresence(withDefault, limited);
        setPresence(withoutDefault, limited);
        assertEquals("4", ((Map<?, ?>) awaitChange(withDefault, "TIME_LIMIT", WITHIN.plusSeconds(1)).get("current")).get("id"));
        assertEquals("1", ((Map<?, ?>) awaitChange(withoutDefault, "TIME_LIMIT", WITHIN.plusSeconds(1)).get("current")).get("id"));
    }

    @Test
    void aChangeBeforeTheLimitCancelsIt() throws Exception {
        String limited = timeLimited(2, null);
        String chose = createAgent();
        String signedOut = createAgent();
        signIn(chose);
        signIn(signedOut);
        setPresence(chose, limited);
        setPresence(signedOut, limited);
        setPresence(chose, 2);
        signOut(signedOut);
        Thread.sleep(2000 + WITHIN.toMillis());
        for (String agent : List.of(chose, signedOut)) {
            assertTrue(history(agent).stream().noneMatch(c -> "TIME_LIMIT".equals(c.get("cause"))), history(agent).toString());
        }
    }

    @Test
    void aLimitAddedLaterCountsFromPresenceSinceAndAnEditDoesNotRestartIt() throws Exception {
        String name = unique("Training");
        String training = required(post(CREATE, "in", input(name, null, null)), "data.createPresence.id");
        String agent = createAgent();
        signIn(agent);
        setPresence(agent, training);
        OffsetDateTime since = OffsetDateTime.parse(agent(agent).getString("data.agent.presenceSince"));
        Thread.sleep(1500);
        post(UPDATE, "id", training, "in", input(name, 1, null)); // already over: the agent moves at the next sweep
        Map<String, Object> moved = awaitChange(agent, "TIME_LIMIT", WITHIN);
        assertTrue(Duration.between(since, OffsetDateTime.parse((String) moved.get("at"))).toMillis() < 1500 + WITHIN.toMillis());

        String coaching = timeLimited(3, null);
        setPresence(agent, coaching);
        OffsetDateTime started = OffsetDateTime.parse(agent(agent).getString("data.agent.presenceSince"));
        Thread.sleep(1500);
        Map<String, Object> edit = input(unique("Coaching"), 3, null);
        edit.put("baseStatus", "BUSY");
        post(UPDATE, "id", coaching, "in", edit); // PRESENCE_EDITED: the clock goes on
        assertEquals("PRESENCE_EDITED", history(agent).get(0).get("cause"));
        Map<String, Object> ended = awaitChange(agent, "TIME_LIMIT", WITHIN.plusSeconds(2));
        long after = Duration.between(started, OffsetDateTime.parse((String) ended.get("at"))).toMillis();
        assertTrue(after >= 3000 && after < 3000 + 2500, "ended " + after + " ms after it started, not after the edit");
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void theMoveIsStreamedLikeAnyChange(Protocol protocol) throws Exception {
        String limited = timeLimited(1, 2);
        String agent = createAgent();
        signIn(agent);
        try (GraphQLWs ws = GraphQLWs.connect(vertx, RestAssured.port, protocol)) {
            var sub = ws.subscribe("subscription($a: [ID!]) { presenceChanged(agentIds: $a) { cause current { id } version } }",
                    Map.of("a", List.of(agent)));
            Thread.sleep(300);
            setPresence(agent, limited);
            assertEquals("SUPERVISOR", sub.nextData(Duration.ofSeconds(5)).getJsonObject("presenceChanged").getString("cause"));
            JsonObject moved = sub.nextData(WITHIN.plusSeconds(1)).getJsonObject("presenceChanged");
            assertEquals("TIME_LIMIT", moved.getString("cause"));
            assertEquals("2", moved.getJsonObject("current").getString("id"));
            assertEquals(post("query($a: ID!) { agent(id: $a) { version } }", "a", agent).getInt("data.agent.version"),
                    moved.getInteger("version"));
        }
    }

    @Test
    void theRulesOfTimeLimitsAndThenPresencesAreCheckedAndNothingIsWritten() {
        for (Integer bad : new Integer[] { 0, 86_401, -5 }) {
            String name = unique("Bad limit");
            JsonPath r = post(CREATE, "in", input(name, bad, null));
            assertEquals("BAD_USER_INPUT", errorCode(r));
            assertTrue(errorMessage(r).contains("timeLimitSeconds must be 1–86400"), errorMessage(r));
            assertTrue(post("{ presences { name } }").getList("data.presences.name").stream().noneMatch(name::equals));
        }
        assertEquals("BAD_USER_INPUT", errorCode(post(CREATE, "in", input(unique("No limit"), null, 2))), "then needs a limit");
        assertEquals("BAD_USER_INPUT", errorCode(post(CREATE, "in", input(unique("To Inactive"), 60, 5))), "not Inactive");
        String limited = timeLimited(60, null);
        assertEquals("BAD_USER_INPUT", errorCode(post(CREATE, "in", input(unique("Chained"), 60, limited))), "then has no limit of its own");
        String name = unique("Self");
        String self = required(post(CREATE, "in", input(name, 60, null)), "data.createPresence.id");
        assertEquals("BAD_USER_INPUT", errorCode(post(UPDATE, "id", self, "in", input(name, 60, self))), "not itself");
        assertEquals("BAD_USER_INPUT", errorCode(post(CREATE, "in", input(unique("Gone"), 60, "999999"))));

        String targetName = unique("Target");
        String target = required(post(CREATE, "in", input(targetName, null, null)), "data.createPresence.id");
        String pointing = required(post(CREATE, "in", input(unique("Pointing"), 60, target)), "data.createPresence.id");
        JsonPath limitOnTarget = post(UPDATE, "id", target, "in", input(targetName, 30, null));
        assertEquals("BAD_USER_INPUT", errorCode(limitOnTarget));
        assertTrue(errorMessage(limitOnTarget).contains("moves agents to it"), errorMessage(limitOnTarget));
        JsonPath deleteTarget = post("mutation($id: ID!) { deletePresence(id: $id) }", "id", target);
        assertEquals("CONFLICT", errorCode(deleteTarget));
        assertNull(post("query($id: ID!) { presence(id: $id) { timeLimitSeconds } }", "id", target).get("data.presence.timeLimitSeconds"));

        String pointingName = post("query($id: ID!) { presence(id: $id) { name } }", "id", pointing).getString("data.presence.name");
        Map<String, Object> firstEdition = Map.of("name", pointingName, "presenceText", "Renamed text", "baseStatus", "AWAY");
        JsonPath kept = post(UPDATE, "id", pointing, "in", firstEdition);
        assertEquals(60, kept.getInt("data.updatePresence.timeLimitSeconds"), "left out: kept");
        assertEquals(target, kept.getString("data.updatePresence.thenPresence.id"));
        Map<String, Object> cleared = new HashMap<>(firstEdition);
        cleared.put("timeLimitSeconds", null);
        JsonPath none = post(UPDATE, "id", pointing, "in", cleared);
        assertNull(none.get("data.updatePresence.timeLimitSeconds"), "explicit null: no limit");
        assertNull(none.get("data.updatePresence.thenPresence"), "and no thenPresence without a limit");
        assertEquals(target, post("mutation($id: ID!) { deletePresence(id: $id) }", "id", target).getString("data.deletePresence"),
                "named by nobody now");
    }
}
