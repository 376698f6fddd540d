package org.ccpresence.routing;

import static org.ccpresence.support.Fixtures.createAgent;
import static org.ccpresence.support.Fixtures.createWorkstream;
import static org.ccpresence.support.Fixtures.history;
import static org.ccpresence.support.Fixtures.offerWork;
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

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** The graduated miss policy (contract, "A graduated miss policy"). Offers time out after 5 s, the shortest allowed. */
@QuarkusTest
class MissPolicyTest {

    static final int TIMEOUT = 5;

    static String workstream(int toInactive, Integer toSignOut) {
        Map<String, Object> in = new HashMap<>();
        in.put("allowedPresences", List.of("AVAILABLE", "AWAY")); // Inactive is AWAY: an Inactive agent still gets offers
        in.put("missedNotifications", true);
        in.put("offerTimeoutSeconds", TIMEOUT);
        in.put("missesToInactive", toInactive);
        in.put("missesToSignOut", toSignOut); // may be null: Map.of would not take it
        return createWorkstream(in);
    }

    static JsonPath agent(String id) {
        return post("query($a: ID!) { agent(id: $a) { signedIn missedInARow presence { id } } }", "a", id);
    }

    static List<Object> pendingOf(String agent) {
        return post("query($a: ID!) { offers(agentId: $a, state: PENDING) { id } }", "a", agent).getList("data.offers.id");
    }

    static String offer(String workstream) {
        return required(offerWork(workstream, unique("item")), "data.offerWork.id");
    }

    /** Waits for the offers to run out and the sweep (every second) to expire them. */
    static void letExpire() throws InterruptedException {
        Thread.sleep(TIMEOUT * 1000 + 2500);
    }

    @Test
    void missesAreCountedThenMoveTheAgentToInactiveThenSignThemOut() throws Exception {
        String ws = workstream(2, 3);
        String agent = createAgent(null, List.of(ws));
        String other = createAgent(null, List.of(ws));
        signIn(agent);
        assertEquals(List.of(offer(ws)), pendingOf(agent), "the only one signed in");
        letExpire();
        JsonPath once = agent(agent);
        assertEquals(1, once.getInt("data.agent.missedInARow"));
        assertEquals("1", once.getString("data.agent.presence.id"), "one miss of two: the presence stays");

        offer(ws);
        letExpire();
        JsonPath twice = agent(agent);
        assertEquals(2, twice.getInt("data.agent.missedInARow"));
        assertEquals("5", twice.getString("data.agent.presence.id"), "missesToInactive: Inactive");
        assertEquals("MISSED_NOTIFICATION", history(agent).get(0).get("cause"));

        assertEquals(List.of(offer(ws)), pendingOf(agent), "Inactive is AWAY, which this workstream allows");
        signIn(other); // the third item is re-offered to them when it runs out
        letExpire();
        JsonPath thrice = agent(agent);
        assertEquals(3, thrice.getInt("data.agent.missedInARow"));
        assertEquals(false, thrice.getBoolean("data.agent.signedIn"), "missesToSignOut: signed out");
        assertEquals("6", thrice.getString("data.agent.presence.id"));
        Map<String, Object> out = history(agent).get(0);
        assertEquals("MISSED_NOTIFICATION", out.get("cause"));
        assertEquals("5", ((Map<?, ?>) out.get("previous")).get("id"));
        assertEquals(List.of(other), post("query($a: ID!) { offers(agentId: $a, state: PENDING) { agent { id } } }", "a", other)
                .getList("data.offers.agent.id"), "the item is re-offered in every case");
    }

    @Test
    void aRunOfMissesEndsWithAnAcceptedOfferAnySetPresenceOrASignIn() throws Exception {
        String ws1 = workstream(5, null);
        String ws2 = workstream(5, null);
        String ws3 = workstream(5, null);
        String ws4 = workstream(5, null);
        String noOp = createAgent(null, List.of(ws1));
        String accepts = createAgent(null, List.of(ws2));
        String signsAgain = createAgent(null, List.of(ws3));
        String signsOut = createAgent(null, List.of(ws4));
        for (String agent : List.of(noOp, accepts, signsAgain, signsOut)) {
            signIn(agent);
        }
        offer(ws1);
        offer(ws2);
        offer(ws3);
        offer(ws4);
        signOut(signsOut); // its offer expires at once: a sign-out misses nothing
        letExpire();
        for (String agent : List.of(noOp, accepts, signsAgain)) {
            assertEquals(1, agent(agent).getInt("data.agent.missedInARow"), agent);
        }
        assertEquals(0, agent(signsOut).getInt("data.agent.missedInARow"), "offers expired by signing out do not count");

        setPresence(noOp, 1); // already Available: changes nothing, but resets the count
        assertEquals(0, agent(noOp).getInt("data.agent.missedInARow"));
        String next = offer(ws2);
        post("mutation($o: ID!) { acceptOffer(offerId: $o) { id } }", "o", next);
        assertEquals(0, agent(accepts).getInt("data.agent.missedInARow"));
        signOut(signsAgain);
        assertEquals(1, agent(signsAgain).getInt("data.agent.missedInARow"), "signing out keeps the count");
        signIn(signsAgain);
        assertEquals(0, agent(signsAgain).getInt("data.agent.missedInARow"), "signing in resets it");
    }

    @Test
    void missPolicyValuesAreCheckedAndLeftOutOnesKept() {
        Map<String, Object> in = new HashMap<>();
        in.put("name", unique("Policy"));
        in.put("type", "VOICE");
        in.put("missesToInactive", 0);
        JsonPath zero = post("mutation($in: WorkstreamInput!) { createWorkstream(input: $in) { id } }", "in", in);
        assertEquals("BAD_USER_INPUT", errorCode(zero));
        assertTrue(errorMessage(zero).contains("missesToInactive must be"), errorMessage(zero));
        in.put("missesToInactive", 3);
        in.put("missesToSignOut", 3);
        assertEquals("BAD_USER_INPUT", errorCode(post("mutation($in: WorkstreamInput!) { createWorkstream(input: $in) { id } }", "in", in)));
        assertTrue(post("{ workstreams { name } }").getList("data.workstreams.name").stream().noneMatch(in.get("name")::equals),
                "nothing written");

        in.remove("missesToInactive");
        in.remove("missesToSignOut");
        JsonPath defaults = post("mutation($in: WorkstreamInput!) { createWorkstream(input: $in) { id missesToInactive missesToSignOut } }", "in", in);
        assertEquals(1, defaults.getInt("data.createWorkstream.missesToInactive"));
        assertNull(defaults.get("data.createWorkstream.missesToSignOut"));
        String id = defaults.getString("data.createWorkstream.id");
        String update = "mutation($id: ID!, $in: WorkstreamInput!) { updateWorkstream(id: $id, input: $in) { missesToInactive missesToSignOut } }";
        Map<String, Object> policy = new HashMap<>(in);
        policy.put("missesToInactive", 2);
        policy.put("missesToSignOut", 4);
        post(update, "id", id, "in", policy);
        JsonPath kept = post(update, "id", id, "in", in);
        assertEquals(2, kept.getInt("data.updateWorkstream.missesToInactive"), "left out: kept");
        assertEquals(4, kept.getInt("data.updateWorkstream.missesToSignOut"));
        Map<String, Object> never = new HashMap<>(in);
        never.put("missesToSignOut", null);
        assertNull(post(update, "id", id, "in", never).get("data.updateWorkstream.missesToSignOut"), "explicit null: never");
    }
}
