package org.ccpresence.routing;

import static org.ccpresence.support.Fixtures.createAgent;
import static org.ccpresence.support.Fixtures.createWorkstream;
import static org.ccpresence.support.Fixtures.offerWork;
import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.Fixtures.setPresence;
import static org.ccpresence.support.Fixtures.signIn;
import static org.ccpresence.support.Fixtures.signedInMember;
import static org.ccpresence.support.GraphQL.errorCode;
import static org.ccpresence.support.GraphQL.errorMessage;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.postAs;
import static org.ccpresence.support.GraphQL.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.ccpresence.support.Desktops;
import org.ccpresence.support.Desktops.Desk;
import org.ccpresence.support.GraphQLWs;
import org.ccpresence.support.GraphQLWs.Protocol;
import org.ccpresence.support.Tokens;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;

/** Eligibility explained (contract, "Eligibility explained"): the rules routing applies, one by one, and the line. */
@QuarkusTest
class EligibilityTest {

    static final String AGENT_ELIGIBILITY = """
            query($a: ID!, $w: ID!) { agent(id: $a) { eligibility(workstreamId: $w) {
              agent { id } workstream { id } eligible reasons explanation ahead } } }""";
    static final String WORKSTREAM_ELIGIBILITY = """
            query($w: ID!) { workstream(id: $w) { eligibleAgents { id } eligibility { agent { id } eligible reasons ahead } } }""";

    @Inject
    Vertx vertx;


    static JsonPath eligibility(String agent, String workstream) {
        return post(AGENT_ELIGIBILITY, "a", agent, "w", workstream);
    }

    static List<String> reasons(String agent, String workstream) {
        return eligibility(agent, workstream).getList("data.agent.eligibility.reasons");
    }

    static List<String> explanation(String agent, String workstream) {
        return eligibility(agent, workstream).getList("data.agent.eligibility.explanation");
    }

    @Test
    void eachRuleFromARealSituationWithTheValuesItNames() {
        String chat = createWorkstream(Map.of("name", unique("Chat"), "allowedPresences", List.of("AVAILABLE", "BUSY"),
                "capacityPerItem", 50));
        String email = createWorkstream(Map.of("name", unique("Email"), "allowedPresences", List.of("AVAILABLE", "BUSY"),
                "capacityPerItem", 60));
        String emailName = post("query($w: ID!) { workstream(id: $w) { name } }", "w", email).getString("data.workstream.name");

        String outsider = createAgent();
        assertEquals(List.of("NOT_IN_WORKSTREAM", "SIGNED_OUT"), reasons(outsider, chat), "Offline is not said again");
        assertTrue(explanation(outsider, chat).get(0).startsWith("Not a member of Chat"), explanation(outsider, chat).toString());

        String training = required(post("mutation($in: PresenceInput!) { createPresence(input: $in) { id name } }", "in",
                Map.of("name", unique("Away – Training"), "presenceText", "Training", "baseStatus", "AWAY")), "data.createPresence.id");
        String trainingName = post("query($p: ID!) { presence(id: $p) { name } }", "p", training).getString("data.presence.name");
        String away = signedInMember(chat);
        setPresence(away, training);
        assertEquals(List.of("STATUS_NOT_ALLOWED"), reasons(away, chat));
        assertEquals(List.of(trainingName + " is AWAY; this workstream takes AVAILABLE, BUSY."), explanation(away, chat));

        String offered = createAgent(null, List.of(chat, email));
        signIn(offered);
        String offer = required(offerWork(email, unique("item")), "data.offerWork.id");
        JsonPath pending = eligibility(offered, chat);
        assertEquals(List.of("PENDING_OFFER"), pending.getList("data.agent.eligibility.reasons"));
        String sentence = pending.getString("data.agent.eligibility.explanation[0]");
        assertTrue(sentence.startsWith("Has a pending offer of " + emailName + " until ") && sentence.endsWith("Z."), sentence);
        assertNull(pending.get("data.agent.eligibility.ahead"));

        post("mutation($o: ID!) { acceptOffer(offerId: $o) { id } }", "o", offer);
        assertEquals(List.of("NO_FREE_CAPACITY"), reasons(offered, chat), "60 of 100 held by the email (Busy by capacity: allowed)");
        assertEquals(List.of("Free capacity 40 of 100; an item needs 50."), explanation(offered, chat));

        setPresence(offered, 4); // Away, and still short of capacity: both, in the enum's order
        assertEquals(List.of("STATUS_NOT_ALLOWED", "NO_FREE_CAPACITY"), reasons(offered, chat));

        String free = signedInMember(chat);
        JsonPath eligible = eligibility(free, chat);
        assertEquals(true, eligible.getBoolean("data.agent.eligibility.eligible"));
        assertEquals(List.of(), eligible.getList("data.agent.eligibility.reasons"));
        assertEquals(List.of(), eligible.getList("data.agent.eligibility.explanation"));
        assertEquals(free, eligible.getString("data.agent.eligibility.agent.id"));
        assertEquals(chat, eligible.getString("data.agent.eligibility.workstream.id"));
    }

    @Test
    void eachItemGoesToTheAgentWhoseAheadWasZero() {
        String ws = createWorkstream(Map.of("allowedPresences", List.of("AVAILABLE")));
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            members.add(signedInMember(ws));
        }
        setPresence(members.get(2), 4); // one Away: not in line
        for (int round = 0; round < 5; round++) {
            JsonPath before = post(WORKSTREAM_ELIGIBILITY, "w", ws);
            List<Map<String, Object>> all = before.getList("data.workstream.eligibility");
            assertEquals(6, all.size(), "every member, eligible or not");
            List<Object> inLine = all.stream().filter(e -> Boolean.TRUE.equals(e.get("eligible")))
                    .map(e -> (Object) ((Map<?, ?>) e.get("agent")).get("id")).toList();
            List<Object> aheads = all.stream().filter(e -> Boolean.TRUE.equals(e.get("eligible"))).map(e -> (Object) e.get("ahead")).toList();
            assertEquals(java.util.stream.IntStream.range(0, inLine.size()).boxed().toList(), aheads, "0, 1, 2, … in routing order");
            assertEquals(inLine, before.getList("data.workstream.eligibleAgents.id"), "eligibleAgents: the same agents, same order");
            assertEquals(5 - round, inLine.size());
            String next = (String) inLine.get(0);
            assertEquals(next, required(offerWork(ws, unique("item")), "data.offerWork.agent.id"), "round " + round);
        }
        assertEquals("NO_ELIGIBLE_AGENT", errorCode(offerWork(ws, unique("item"))));
    }

    @Test
    void aDroppedDesktopPausesRoutingAndTheReconnectKeepsThePlace() throws Exception {
        String ws = createWorkstream(Map.of("allowedPresences", List.of("AVAILABLE")));
        Desk desk = Desktops.agent(List.of(ws));
        signIn(desk.id());
        String integration = signedInMember(ws); // never opens a desktop: never paused
        GraphQLWs first = desktop(desk);
        awaitConnected(desk.id());
        assertEquals(List.of(), reasons(desk.id(), ws));
        first.close();
        awaitReasons(desk.id(), ws, List.of("DESKTOP_DISCONNECTED"));
        assertTrue(explanation(desk.id(), ws).get(0).startsWith("Every desktop connection closed at "));
        assertEquals(List.of(), reasons(integration, ws));
        assertEquals(integration, required(offerWork(ws, unique("item")), "data.offerWork.agent.id"), "only the integration is offered");
        assertEquals("NO_ELIGIBLE_AGENT", errorCode(offerWork(ws, unique("item"))), "the dropped desktop is offered nothing");
        try (GraphQLWs again = desktop(desk)) {
            awaitReasons(desk.id(), ws, List.of());
            assertEquals(0, eligibility(desk.id(), ws).getInt("data.agent.eligibility.ahead"));
            assertEquals(desk.id(), required(offerWork(ws, unique("item")), "data.offerWork.agent.id"));
        }
    }

    @Test
    void agentsAskAboutThemselvesAndUnknownWorkstreamsAreNotFound() {
        String ws = createWorkstream(Map.of("allowedPresences", List.of("AVAILABLE")));
        Desk own = Desktops.agent(List.of(ws));
        String other = createAgent(null, List.of(ws));
        JsonPath mine = postAs(Tokens.agent(own.userId()), AGENT_ELIGIBILITY, "a", own.id(), "w", ws);
        assertEquals(List.of("SIGNED_OUT"), mine.getList("data.agent.eligibility.reasons"), mine.prettify());
        JsonPath theirs = postAs(Tokens.agent(own.userId()), AGENT_ELIGIBILITY, "a", other, "w", ws);
        assertEquals("FORBIDDEN", errorCode(theirs), theirs.prettify());
        JsonPath board = postAs(Tokens.agent(own.userId()), WORKSTREAM_ELIGIBILITY, "w", ws);
        assertEquals("FORBIDDEN", errorCode(board), board.prettify());
        JsonPath unknown = eligibility(own.id(), "999999999");
        assertEquals("NOT_FOUND", errorCode(unknown));
        assertTrue(errorMessage(unknown).contains("999999999"), errorMessage(unknown));
    }

    GraphQLWs desktop(Desk agent) throws Exception {
        return Desktops.open(vertx, agent, Protocol.TRANSPORT_WS);
    }

    static void awaitConnected(String agent) throws InterruptedException {
        String query = "query($a: ID!) { agent(id: $a) { desktopConnected } }";
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!post(query, "a", agent).getBoolean("data.agent.desktopConnected") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(post(query, "a", agent).getBoolean("data.agent.desktopConnected"));
    }

    /** Connections are written once a second: waits (up to 5 s) for the reasons to become these. */
    static void awaitReasons(String agent, String ws, List<String> expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!reasons(agent, ws).equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(expected, reasons(agent, ws));
    }
}
