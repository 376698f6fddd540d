package org.ccpresence.agent;

import static org.ccpresence.support.Fixtures.createAgent;
import static org.ccpresence.support.Fixtures.createPresence;
import static org.ccpresence.support.Fixtures.createWorkstream;
import static org.ccpresence.support.Fixtures.history;
import static org.ccpresence.support.Fixtures.setPresence;
import static org.ccpresence.support.Fixtures.signIn;
import static org.ccpresence.support.Fixtures.signedInAgent;
import static org.ccpresence.support.GraphQL.errorCode;
import static org.ccpresence.support.GraphQL.errorMessage;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.postAs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.ccpresence.support.GraphQLWs;
import org.ccpresence.support.GraphQLWs.Protocol;
import org.ccpresence.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** Versions and expectedVersion (contract, "Versions"): conflict-safe writes on agents, presences and workstreams. */
@QuarkusTest
class VersionTest {

    static final String SET = "mutation($a: ID, $p: ID!, $v: Int) { setPresence(agentId: $a, presenceId: $p, expectedVersion: $v) { version presence { id } } }";
    static final String SIGN_IN = "mutation($a: ID, $v: Int) { signIn(agentId: $a, expectedVersion: $v) { version signedIn } }";
    static final String SIGN_OUT = "mutation($a: ID, $v: Int) { signOut(agentId: $a, expectedVersion: $v) { version signedIn } }";

    @Inject
    Vertx vertx;

    static int version(String agent) {
        return post("query($a: ID!) { agent(id: $a) { version } }", "a", agent).getInt("data.agent.version");
    }

    @Test
    void anAgentStartsAtOneAndEveryChangeOfPresenceOrSignInAddsOne() {
        String agent = createAgent();
        assertEquals(1, version(agent));
        assertEquals(2, post(SIGN_IN, "a", agent).getInt("data.signIn.version"));
        assertEquals(2, post(SIGN_IN, "a", agent).getInt("data.signIn.version"), "signing in again changes nothing");
        assertEquals(3, post(SET, "a", agent, "p", 2).getInt("data.setPresence.version"));
        assertEquals(3, post(SET, "a", agent, "p", 2).getInt("data.setPresence.version"), "a no-op setPresence changes nothing");
        assertEquals(4, post(SIGN_OUT, "a", agent).getInt("data.signOut.version"));
        post("mutation($id: ID!, $in: AgentInput!) { updateAgent(id: $id, input: $in) { id } }", "id", agent,
                "in", Map.of("userId", "renamed-" + agent, "name", "Renamed"));
        assertEquals(4, version(agent), "editing the agent's record is not a change of presence or sign-in state");
    }

    @Test
    void eachStoredChangeCarriesTheVersionItProduced() {
        String agent = signedInAgent();
        setPresence(agent, 2);
        setPresence(agent, 3);
        List<Integer> versions = post("query($a: ID!) { presenceHistory(agentId: $a) { version } }", "a", agent)
                .getList("data.presenceHistory.version", Integer.class);
        assertEquals(List.of(4, 3, 2), versions, "newest first: sign-in made 2, then 3 and 4");
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void theStreamCarriesEachChangesVersion(Protocol protocol) throws Exception {
        String agent = signedInAgent();
        try (GraphQLWs ws = GraphQLWs.connect(vertx, RestAssured.port, protocol)) {
            var sub = ws.subscribe("subscription($a: [ID!]) { presenceChanged(agentIds: $a) { version current { id } } }",
                    Map.of("a", List.of(agent)));
            Thread.sleep(300);
            int returned = post(SET, "a", agent, "p", 4).getInt("data.setPresence.version");
            JsonObject change = sub.nextData(Duration.ofSeconds(10)).getJsonObject("presenceChanged");
            assertEquals(returned, change.getInteger("version"));
            assertEquals(returned, version(agent), "a client that follows the stream holds the current version");
        }
    }

    @Test
    void aStaleExpectedVersionIsRefusedNamingTheCurrentVersionAndPresenceAndWritesNothing() {
        String agent = signedInAgent();
        int current = version(agent);
        setPresence(agent, 3); // someone else: current + 1, Busy – DND
        int historyBefore = history(agent).size();

        JsonPath stale = post(SET, "a", agent, "p", 4, "v", current);
        assertEquals("CONFLICT", errorCode(stale));
        assertTrue(errorMessage(stale).contains("version " + (current + 1)), errorMessage(stale));
        assertTrue(errorMessage(stale).contains("Busy – DND"), errorMessage(stale));
        assertTrue(errorMessage(stale).contains("expectedVersion " + current), errorMessage(stale));
        assertEquals(historyBefore, history(agent).size(), "nothing written");
        assertEquals("3", post("query($a: ID!) { agent(id: $a) { presence { id } } }", "a", agent).getString("data.agent.presence.id"));

        assertEquals("CONFLICT", errorCode(post(SIGN_OUT, "a", agent, "v", current)));
        assertEquals(true, post("query($a: ID!) { agent(id: $a) { signedIn } }", "a", agent).getBoolean("data.agent.signedIn"));
        assertEquals(current + 2, post(SET, "a", agent, "p", 4, "v", current + 1).getInt("data.setPresence.version"),
                "the current version is accepted");
        assertEquals(current + 3, post(SIGN_OUT, "a", agent, "v", current + 2).getInt("data.signOut.version"));
        JsonPath staleSignIn = post(SIGN_IN, "a", agent, "v", current + 2);
        assertEquals("CONFLICT", errorCode(staleSignIn));
        assertTrue(errorMessage(staleSignIn).contains("signed out"), errorMessage(staleSignIn));
        assertEquals(current + 4, post(SIGN_IN, "a", agent, "v", current + 3).getInt("data.signIn.version"));
    }

    @Test
    void anAgentUsesVersionsOnTheirOwnAgentToo() {
        String userId = org.ccpresence.support.GraphQL.unique("versioned");
        String agent = org.ccpresence.support.Fixtures.required(post("mutation($in: AgentInput!) { createAgent(input: $in) { id } }",
                "in", Map.of("userId", userId, "name", "Versioned")), "data.createAgent.id");
        signIn(agent);
        String token = Tokens.agent(userId);
        JsonPath stale = postAs(token, "mutation($p: ID!, $v: Int) { setPresence(presenceId: $p, expectedVersion: $v) { version } }",
                "p", 2, "v", 1);
        assertEquals("CONFLICT", errorCode(stale));
        assertEquals(3, postAs(token, "mutation($p: ID!, $v: Int) { setPresence(presenceId: $p, expectedVersion: $v) { version } }",
                "p", 2, "v", 2).getInt("data.setPresence.version"));
    }

    /** Ten calls at once with one expected version: the group commit lets exactly one through. */
    @Test
    void tenConcurrentSetPresenceCallsWithOneExpectedVersionHaveExactlyOneWinner() throws Exception {
        for (int round = 0; round < 5; round++) {
            String agent = signedInAgent();
            int expected = version(agent);
            int historyBefore = history(agent).size();
            List<String> presences = List.of("2", "3", "4", createPresence("AVAILABLE"), createPresence("AWAY"));
            ExecutorService pool = Executors.newFixedThreadPool(10);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<JsonPath>> calls = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String presence = presences.get(i % presences.size());
                calls.add(pool.submit(() -> {
                    start.await();
                    return post(SET, "a", agent, "p", presence, "v", expected);
                }));
            }
            start.countDown();
            int won = 0;
            int conflicts = 0;
            for (Future<JsonPath> call : calls) {
                JsonPath r = call.get();
                if (r.get("errors") == null) {
                    won++;
                    assertEquals(expected + 1, r.getInt("data.setPresence.version"));
                } else {
                    assertEquals("CONFLICT", errorCode(r), r.prettify());
                    conflicts++;
                }
            }
            pool.shutdown();
            assertEquals(1, won, "exactly one wins");
            assertEquals(9, conflicts);
            assertEquals(historyBefore + 1, history(agent).size(), "the history holds one change");
            assertEquals(expected + 1, version(agent));
        }
    }

    @Test
    void presencesCarryAVersionAndRefuseStaleUpdatesAndDeletes() {
        String id = createPresence("BUSY");
        String update = "mutation($id: ID!, $in: PresenceInput!, $v: Int) { updatePresence(id: $id, input: $in, expectedVersion: $v) { version name } }";
        String delete = "mutation($id: ID!, $v: Int) { deletePresence(id: $id, expectedVersion: $v) }";
        assertEquals(1, post("query($id: ID!) { presence(id: $id) { version } }", "id", id).getInt("data.presence.version"));
        Map<String, Object> first = Map.of("name", "Versioned " + id, "presenceText", "On a call", "baseStatus", "BUSY");
        assertEquals(2, post(update, "id", id, "in", first, "v", 1).getInt("data.updatePresence.version"));
        assertEquals(3, post(update, "id", id, "in", first).getInt("data.updatePresence.version"), "without expectedVersion, as before");

        Map<String, Object> lost = Map.of("name", "Lost " + id, "presenceText", "Lost", "baseStatus", "AWAY");
        JsonPath stale = post(update, "id", id, "in", lost, "v", 2);
        assertEquals("CONFLICT", errorCode(stale));
        assertTrue(errorMessage(stale).contains("version 3"), errorMessage(stale));
        assertEquals("Versioned " + id, post("query($id: ID!) { presence(id: $id) { name } }", "id", id).getString("data.presence.name"));

        assertEquals("CONFLICT", errorCode(post(delete, "id", id, "v", 2)));
        assertEquals(3, post("query($id: ID!) { presence(id: $id) { version } }", "id", id).getInt("data.presence.version"), "still there");
        assertEquals(id, post(delete, "id", id, "v", 3).getString("data.deletePresence"));
    }

    @Test
    void workstreamsCarryAVersionAndRefuseStaleUpdatesAndDeletes() {
        String id = createWorkstream(List.of("AVAILABLE"), false, 60);
        String update = "mutation($id: ID!, $in: WorkstreamInput!, $v: Int) { updateWorkstream(id: $id, input: $in, expectedVersion: $v) { version name offerTimeoutSeconds } }";
        String delete = "mutation($id: ID!, $v: Int) { deleteWorkstream(id: $id, expectedVersion: $v) }";
        String name = org.ccpresence.support.GraphQL.unique("Versioned");
        assertEquals(1, post("query($id: ID!) { workstream(id: $id) { version } }", "id", id).getInt("data.workstream.version"));
        JsonPath updated = post(update, "id", id, "in", Map.of("name", name, "type", "VOICE"), "v", 1);
        assertEquals(2, updated.getInt("data.updateWorkstream.version"));
        assertEquals(60, updated.getInt("data.updateWorkstream.offerTimeoutSeconds"), "left out: kept");

        JsonPath stale = post(update, "id", id, "in", Map.of("name", name + " lost", "type", "VOICE", "offerTimeoutSeconds", 30), "v", 1);
        assertEquals("CONFLICT", errorCode(stale));
        assertTrue(errorMessage(stale).contains("version 2"), errorMessage(stale));
        JsonPath now = post("query($id: ID!) { workstream(id: $id) { name offerTimeoutSeconds version } }", "id", id);
        assertEquals(name, now.getString("data.workstream.name"));
        assertEquals(2, now.getInt("data.workstream.version"));

        assertEquals("CONFLICT", errorCode(post(delete, "id", id, "v", 1)));
        assertEquals(id, post(delete, "id", id, "v", 2).getString("data.deleteWorkstream"));
        assertNull(post("query($id: ID!) { workstream(id: $id) { id } }", "id", id).get("data.workstream"));
    }
}
