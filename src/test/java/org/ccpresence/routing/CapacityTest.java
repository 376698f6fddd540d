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
import static org.ccpresence.support.GraphQL.postAs;
import static org.ccpresence.support.GraphQL.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.ccpresence.support.Tokens;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Capacity (contract, "Capacity"): accepted work holds units, a full agent goes Busy, completed work brings them back. */
@QuarkusTest
class CapacityTest {

    static final String COMPLETE = "mutation($o: ID!) { completeWork(offerId: $o) { id state completedAt } }";
    static final String ACCEPT = "mutation($o: ID!) { acceptOffer(offerId: $o) { id state } }";

    static String workstream(int capacityPerItem) {
        return createWorkstream(Map.of("allowedPresences", List.of("AVAILABLE"), "capacityPerItem", capacityPerItem));
    }

    static JsonPath agent(String id) {
        return post("query($a: ID!) { agent(id: $a) { capacity capacityUsed version presence { id name } } }", "a", id);
    }

    static String offerAndAccept(String workstream) {
        String offer = required(offerWork(workstream, unique("item")), "data.offerWork.id");
        assertEquals("ACCEPTED", post(ACCEPT, "o", offer).getString("data.acceptOffer.state"));
        return offer;
    }

    @Test
    void capacityFillsAcrossTwoWorkstreamsToBusyAndCompletingReturnsTheAgent() {
        String chat = workstream(60);
        String email = workstream(30);
        String agent = createAgent(null, List.of(chat, email));
        signIn(agent);
        assertEquals(100, agent(agent).getInt("data.agent.capacity"), "the default");

        String firstChat = offerAndAccept(chat);
        JsonPath afterChat = agent(agent);
        assertEquals(60, afterChat.getInt("data.agent.capacityUsed"));
        assertEquals("1", afterChat.getString("data.agent.presence.id"), "40 free still fits an email: stays Available");
        JsonPath noRoom = offerWork(chat, unique("item"));
        assertEquals("NO_ELIGIBLE_AGENT", errorCode(noRoom), "40 free is too little for another chat");

        int versionBefore = afterChat.getInt("data.agent.version");
        String emailOffer = offerAndAccept(email);
        JsonPath full = agent(agent);
        assertEquals(90, full.getInt("data.agent.capacityUsed"));
        assertEquals("2", full.getString("data.agent.presence.id"), "10 free fits neither: Busy");
        assertEquals(versionBefore + 1, full.getInt("data.agent.version"));
        Map<String, Object> toBusy = history(agent).get(0);
        assertEquals("CAPACITY", toBusy.get("cause"));
        assertEquals("1", ((Map<?, ?>) toBusy.get("previous")).get("id"));

        JsonPath completed = post(COMPLETE, "o", emailOffer);
        assertEquals("COMPLETED", completed.getString("data.completeWork.state"));
        assertTrue(completed.getString("data.completeWork.completedAt") != null);
        JsonPath back = agent(agent);
        assertEquals(60, back.getInt("data.agent.capacityUsed"));
        assertEquals("1", back.getString("data.agent.presence.id"), "room for an email again: back to Available");
        assertEquals("CAPACITY", history(agent).get(0).get("cause"));

        int changes = history(agent).size();
        post(COMPLETE, "o", firstChat);
        assertEquals(0, agent(agent).getInt("data.agent.capacityUsed"));
        assertEquals(changes, history(agent).size(), "already Available: no change");
    }

    @Test
    void completingWorkDoesNotUndoAPresenceChosenMeanwhile() {
        String ws = workstream(100);
        String agent = createAgent(null, List.of(ws));
        signIn(agent);
        String offer = offerAndAccept(ws);
        assertEquals("2", agent(agent).getString("data.agent.presence.id"), "full: Busy");
        setPresence(agent, 4); // Away, by hand
        post(COMPLETE, "o", offer);
        JsonPath after = agent(agent);
        assertEquals(0, after.getInt("data.agent.capacityUsed"));
        assertEquals("4", after.getString("data.agent.presence.id"), "the agent's own choice stays");
    }

    @Test
    void onlyAnAvailableAgentIsMovedToBusyAndSigningOutFreesNothing() {
        String ws = workstream(100);
        String dnd = createWorkstream(Map.of("type", "VOICE", "allowedPresences", List.of("BUSY_DND"), "capacityPerItem", 100));
        String agent = createAgent(null, List.of(ws, dnd));
        signIn(agent);
        setPresence(agent, 3); // Busy – DND
        String offer = required(offerWork(dnd, unique("item")), "data.offerWork.id");
        post(ACCEPT, "o", offer);
        assertEquals("3", agent(agent).getString("data.agent.presence.id"), "not AVAILABLE: stays");
        signOut(agent);
        assertEquals(100, agent(agent).getInt("data.agent.capacityUsed"), "signing out frees nothing");
        post(COMPLETE, "o", offer);
        assertEquals(0, agent(agent).getInt("data.agent.capacityUsed"));
    }

    @Test
    void onlyTheOfferedAgentOrASupervisorCompletesAndOnlyAcceptedWork() {
        String ws = workstream(10);
        String userId = unique("capacity-agent");
        String agent = required(post("mutation($in: AgentInput!) { createAgent(input: $in) { id } }", "in",
                Map.of("userId", userId, "name", "Capacity agent", "workstreamIds", List.of(ws))), "data.createAgent.id");
        signIn(agent);
        String offer = required(offerWork(ws, unique("item")), "data.offerWork.id");

        JsonPath pending = post(COMPLETE, "o", offer);
        assertEquals("CONFLICT", errorCode(pending));
        assertTrue(errorMessage(pending).contains("PENDING"), errorMessage(pending));
        post(ACCEPT, "o", offer);

        assertEquals("FORBIDDEN", errorCode(postAs(Tokens.agent(unique("someone-else")), COMPLETE, "o", offer)));
        assertEquals("ACCEPTED", post("query($a: ID!) { offers(agentId: $a) { state } }", "a", agent).getString("data.offers[0].state"));
        assertEquals("COMPLETED", postAs(Tokens.agent(userId), COMPLETE, "o", offer).getString("data.completeWork.state"));
        assertEquals("CONFLICT", errorCode(postAs(Tokens.supervisor(), COMPLETE, "o", offer)), "completed once");

        String second = required(offerWork(ws, unique("item")), "data.offerWork.id");
        post(ACCEPT, "o", second);
        assertEquals("COMPLETED", postAs(Tokens.supervisor(), COMPLETE, "o", second).getString("data.completeWork.state"));
        assertEquals("NOT_FOUND", errorCode(post(COMPLETE, "o", "999999999")));
    }

    @Test
    void capacitiesOutsideTheirRangeAreRefusedAndLeftOutOnesKeepTheirValue() {
        for (int bad : new int[] { -1, 10_001 }) {
            String userId = unique("bad-capacity");
            JsonPath r = post("mutation($in: AgentInput!) { createAgent(input: $in) { id } }", "in",
                    Map.of("userId", userId, "name", "Bad", "capacity", bad));
            assertEquals("BAD_USER_INPUT", errorCode(r));
            assertTrue(errorMessage(r).contains("capacity must be 0–10000"), errorMessage(r));
            assertEquals(List.of(), post("{ agents(first: 1000) { userId } }").getList("data.agents.userId").stream()
                    .filter(userId::equals).toList(), "nothing written");

            Map<String, Object> in = new HashMap<>();
            in.put("name", unique("Bad capacity"));
            in.put("type", "MESSAGING");
            in.put("capacityPerItem", bad);
            assertEquals("BAD_USER_INPUT", errorCode(post("mutation($in: WorkstreamInput!) { createWorkstream(input: $in) { id } }", "in", in)));
        }
        String userId = unique("kept-capacity");
        String agent = required(post("mutation($in: AgentInput!) { createAgent(input: $in) { id } }", "in",
                Map.of("userId", userId, "name", "Kept", "capacity", 7)), "data.createAgent.id");
        post("mutation($id: ID!, $in: AgentInput!) { updateAgent(id: $id, input: $in) { id } }", "id", agent,
                "in", Map.of("userId", userId, "name", "Kept, renamed"));
        assertEquals(7, agent(agent).getInt("data.agent.capacity"), "a first-edition update keeps the capacity");

        String ws = workstream(25);
        JsonPath updated = post("mutation($id: ID!, $in: WorkstreamInput!) { updateWorkstream(id: $id, input: $in) { capacityPerItem } }",
                "id", ws, "in", Map.of("name", unique("Renamed"), "type", "MESSAGING"));
        assertEquals(25, updated.getInt("data.updateWorkstream.capacityPerItem"));
    }
}
