package org.ccpresence.agent;

import static org.ccpresence.support.Fixtures.AGENT_FIELDS;
import static org.ccpresence.support.Fixtures.agentInput;
import static org.ccpresence.support.Fixtures.createAgent;
import static org.ccpresence.support.Fixtures.createPresence;
import static org.ccpresence.support.Fixtures.history;
import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.Fixtures.setPresence;
import static org.ccpresence.support.Fixtures.signIn;
import static org.ccpresence.support.Fixtures.signOut;
import static org.ccpresence.support.Fixtures.signedInAgent;
import static org.ccpresence.support.GraphQL.errorCode;
import static org.ccpresence.support.GraphQL.errorMessage;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.unique;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class AgentTest {

    static final String CREATE = "mutation($in: AgentInput!) { createAgent(input: $in) { " + AGENT_FIELDS + " } }";
    static final String UPDATE = "mutation($id: ID!, $in: AgentInput!) { updateAgent(id: $id, input: $in) { " + AGENT_FIELDS + " } }";

    @Test
    void newAgentIsSignedOutInOffline() {
        String userId = unique("u");
        JsonPath r = post(CREATE, "in", agentInput("  " + userId + " ", " Ada  ", null, null));
        Map<String, Object> agent = r.getMap("data.createAgent");
        assertNull(r.get("errors"), r::prettify);
        assertEquals(userId, agent.get("userId"));
        assertEquals("Ada", agent.get("name"));
        assertEquals(false, agent.get("signedIn"));
        assertEquals("6", r.getString("data.createAgent.presence.id"));
        assertEquals("OFFLINE", r.getString("data.createAgent.presence.baseStatus"));
        assertNull(agent.get("defaultPresence"));
        assertEquals(userId, post("query($id: ID!) { agent(id: $id) { userId } }", "id", agent.get("id")).getString("data.agent.userId"));
    }

    @Test
    void agentInputIsValidated() {
        String userId = unique("dup");
        required(post(CREATE, "in", agentInput(userId, "First", null, null)), "data.createAgent.id");
        JsonPath dup = post(CREATE, "in", agentInput(userId, "Second", null, null));
        assertEquals("CONFLICT", errorCode(dup), dup::prettify);
        assertThat(errorMessage(dup), containsString("userId"));

        assertEquals("BAD_USER_INPUT", errorCode(post(CREATE, "in", agentInput(unique("u"), "  ", null, null))));
        assertEquals("BAD_USER_INPUT", errorCode(post(CREATE, "in", agentInput(unique("u"), "n".repeat(201), null, null))));
        assertEquals("BAD_USER_INPUT", errorCode(post(CREATE, "in", agentInput(" ", "Name", null, null))));
        JsonPath inactive = post(CREATE, "in", agentInput(unique("u"), "Name", 5, null));
        assertEquals("BAD_USER_INPUT", errorCode(inactive));
        assertThat(errorMessage(inactive), containsString("Inactive"));
        assertEquals("BAD_USER_INPUT", errorCode(post(CREATE, "in", agentInput(unique("u"), "Name", 999999, null))));
        JsonPath unknownWorkstream = post(CREATE, "in", agentInput(unique("u"), "Name", null, List.of(987654321)));
        assertEquals("BAD_USER_INPUT", errorCode(unknownWorkstream), unknownWorkstream::prettify);
        assertThat(errorMessage(unknownWorkstream), containsString("987654321"));
    }

    @Test
    void signInUsesTheDefaultPresenceOrAvailable() {
        String plain = createAgent();
        JsonPath in = signIn(plain);
        assertEquals(true, in.getBoolean("data.signIn.signedIn"));
        assertEquals("1", in.getString("data.signIn.presence.id"));

        String busy = createAgent(2, null);
        assertEquals("2", signIn(busy).getString("data.signIn.presence.id"));
        assertEquals("SIGN_IN", history(busy).get(0).get("cause"));

        JsonPath out = signOut(busy);
        assertEquals(false, out.getBoolean("data.signOut.signedIn"));
        assertEquals("6", out.getString("data.signOut.presence.id"));
        List<Map<String, Object>> h = history(busy);
        assertEquals(List.of("SIGN_OUT", "SIGN_IN"), h.stream().map(c -> c.get("cause")).toList());
        assertEquals(Map.of("id", "2"), h.get(0).get("previous"));
    }

    @Test
    void setPresenceFollowsTheRules() {
        String agent = createAgent();
        JsonPath signedOut = setPresence(agent, 2);
        assertEquals("BAD_USER_INPUT", errorCode(signedOut));
        assertThat(errorMessage(signedOut), containsString("signed out"));

        signIn(agent);
        assertEquals("FORBIDDEN", errorCode(setPresence(agent, 5)));
        assertEquals("NOT_FOUND", errorCode(setPresence(agent, 999999)));
        assertEquals("NOT_FOUND", errorCode(setPresence("999999", 2)));

        JsonPath busy = setPresence(agent, 2);
        assertEquals("BUSY", busy.getString("data.setPresence.presence.baseStatus"));
        int before = history(agent).size();
        String since = busy.getString("data.setPresence.presenceSince");
        JsonPath again = setPresence(agent, 2);
        assertNull(again.get("errors"));
        assertEquals(since, again.getString("data.setPresence.presenceSince"), "a no-op keeps presenceSince");
        assertEquals(before, history(agent).size(), "setting the current presence records nothing");
        assertEquals("SUPERVISOR", history(agent).get(0).get("cause"), "an administrator set it");
    }

    @Test
    void routingOnlySeesTheBaseStatus() {
        String offlineText = unique("Available – but");
        JsonPath created = post("mutation($in: PresenceInput!) { createPresence(input: $in) { id } }", "in",
                Map.of("name", offlineText, "presenceText", "Available – Training", "baseStatus", "OFFLINE"));
        String presence = required(created, "data.createPresence.id");
        String agent = signedInAgent();
        assertEquals("OFFLINE", setPresence(agent, presence).getString("data.setPresence.presence.baseStatus"));
        List<String> offline = post("{ agents(filter: {baseStatus: OFFLINE, signedIn: true}, first: 1000) { id } }")
                .getList("data.agents.id");
        assertTrue(offline.contains(agent));
    }

    @Test
    void editingABaseStatusRecordsAChangeForEveryAgentInIt() {
        String presence = createPresence("AWAY");
        String a = signedInAgent();
        String b = signedInAgent();
        setPresence(a, presence);
        setPresence(b, presence);
        JsonPath edit = post("mutation($id: ID!, $in: PresenceInput!) { updatePresence(id: $id, input: $in) { baseStatus } }",
                "id", presence, "in", Map.of("name", unique("Edited"), "presenceText", "x", "baseStatus", "BUSY"));
        assertNull(edit.get("errors"), edit::prettify);
        for (String agent : List.of(a, b)) {
            Map<String, Object> last = history(agent).get(0);
            assertEquals("PRESENCE_EDITED", last.get("cause"));
            assertEquals(Map.of("id", presence, "baseStatus", "BUSY"), last.get("current"));
        }
        // Renaming without a base status change is not a presence change.
        int before = history(a).size();
        post("mutation($id: ID!, $in: PresenceInput!) { updatePresence(id: $id, input: $in) { id } }",
                "id", presence, "in", Map.of("name", unique("Renamed"), "presenceText", "y", "baseStatus", "BUSY"));
        assertEquals(before, history(a).size());
    }

    @Test
    void presenceInUseCannotBeDeleted() {
        String presence = createPresence("BUSY");
        String agent = signedInAgent();
        setPresence(agent, presence);
        JsonPath inUse = post("mutation($id: ID!) { deletePresence(id: $id) }", "id", presence);
        assertEquals("CONFLICT", errorCode(inUse));
        assertThat(errorMessage(inUse), containsString("1 agent"));

        String asDefault = createPresence("BUSY");
        createAgent(asDefault, null);
        assertEquals("CONFLICT", errorCode(post("mutation($id: ID!) { deletePresence(id: $id) }", "id", asDefault)));

        setPresence(agent, 1);
        assertEquals(presence, post("mutation($id: ID!) { deletePresence(id: $id) }", "id", presence).getString("data.deletePresence"));
        // History still shows the deleted presence.
        assertEquals(presence, ((Map<?, ?>) history(agent).get(1).get("current")).get("id"));
    }

    @Test
    void updateAndDeleteAgents() {
        String id = createAgent();
        String userId = unique("renamed");
        JsonPath u = post(UPDATE, "id", id, "in", agentInput(userId, "New name", 3, null));
        assertEquals("New name", u.getString("data.updateAgent.name"));
        assertEquals("3", u.getString("data.updateAgent.defaultPresence.id"));
        assertEquals("NOT_FOUND", errorCode(post(UPDATE, "id", 999999, "in", agentInput(unique("x"), "n", null, null))));
        assertEquals(id, post("mutation($id: ID!) { deleteAgent(id: $id) }", "id", id).getString("data.deleteAgent"));
        assertNull(post("query($id: ID!) { agent(id: $id) { id } }", "id", id).get("data.agent"));
        assertEquals("NOT_FOUND", errorCode(post("mutation($id: ID!) { deleteAgent(id: $id) }", "id", id)));
    }

    @Test
    void agentsPageInIdOrder() {
        for (int i = 0; i < 5; i++) {
            createAgent();
        }
        List<String> all = post("{ agents(first: 1000) { id } }").getList("data.agents.id");
        List<String> firstTwo = post("{ agents(first: 2) { id } }").getList("data.agents.id");
        assertEquals(all.subList(0, 2), firstTwo);
        List<String> next = post("query($after: ID) { agents(first: 3, after: $after) { id } }", "after", firstTwo.get(1))
                .getList("data.agents.id");
        assertEquals(all.subList(2, 5), next);
        assertEquals("BAD_USER_INPUT", errorCode(post("{ agents(first: 1001) { id } }")));
        assertEquals("BAD_USER_INPUT", errorCode(post("{ agents(first: 0) { id } }")));
        List<Map<String, Object>> signedOut = post("{ agents(filter: {signedIn: false}) { signedIn } }").getList("data.agents");
        assertFalse(signedOut.isEmpty());
        assertTrue(signedOut.stream().allMatch(a -> Boolean.FALSE.equals(a.get("signedIn"))));
    }

    @Test
    void historyIsNewestFirstAndBounded() {
        String agent = signedInAgent();
        setPresence(agent, 2);
        setPresence(agent, 3);
        setPresence(agent, 4);
        List<Map<String, Object>> h = post("query($a: ID!) { presenceHistory(agentId: $a, first: 2) { sequence current { id } } }",
                "a", agent).getList("data.presenceHistory");
        assertEquals(2, h.size());
        assertEquals("4", ((Map<?, ?>) h.get(0).get("current")).get("id"));
        assertTrue(Long.parseLong((String) h.get(0).get("sequence")) > Long.parseLong((String) h.get(1).get("sequence")));
        String future = "2999-01-01T00:00:00Z";
        assertEquals(0, post("query($a: ID!, $f: DateTime) { presenceHistory(agentId: $a, from: $f) { sequence } }",
                "a", agent, "f", future).getList("data.presenceHistory").size());
        assertEquals(4, post("query($a: ID!, $t: DateTime) { presenceHistory(agentId: $a, to: $t) { sequence } }",
                "a", agent, "t", future).getList("data.presenceHistory").size());
        assertEquals("BAD_USER_INPUT", errorCode(post("query($a: ID!) { presenceHistory(agentId: $a, first: 5000) { sequence } }", "a", agent)));
    }
}
