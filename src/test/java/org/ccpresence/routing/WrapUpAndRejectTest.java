package org.ccpresence.routing;

import static org.ccpresence.support.Fixtures.createPresence;
import static org.ccpresence.support.Fixtures.createWorkstream;
import static org.ccpresence.support.Fixtures.history;
import static org.ccpresence.support.Fixtures.offerWork;
import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.Fixtures.signedInMember;
import static org.ccpresence.support.GraphQL.errorCode;
import static org.ccpresence.support.GraphQL.errorMessage;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Wrap-up and rejecting with a reason (contract, "Wrap-up", "Rejecting with a reason"). */
@QuarkusTest
class WrapUpAndRejectTest {

    static final String OFFER = "id state rejectReason wrapUpUntil completedAt";
    static final String ACCEPT = "mutation($o: ID!) { acceptOffer(offerId: $o) { id } }";
    static final String COMPLETE = "mutation($o: ID!) { completeWork(offerId: $o) { " + OFFER + " } }";
    static final String REJECT = "mutation($o: ID!, $r: String) { rejectOffer(offerId: $o, reason: $r) { " + OFFER + " } }";

    static JsonPath agent(String id) {
        return post("query($a: ID!) { agent(id: $a) { wrapUpUntil capacityUsed presence { id } } }", "a", id);
    }

    static String acceptedOffer(String workstream) {
        String offer = required(offerWork(workstream, unique("item")), "data.offerWork.id");
        required(post(ACCEPT, "o", offer), "data.acceptOffer.id");
        return offer;
    }

    static String offerState(String offer) {
        return post("query { offers { id state } }").getString("data.offers.find { it.id == '" + offer + "' }.state");
    }

    @Test
    void wrapUpHoldsTheAgentAndTheSweepEndsItOnce() throws Exception {
        String ws = createWorkstream(Map.of("allowedPresences", List.of("AVAILABLE"), "wrapUpSeconds", 2, "capacityPerItem", 30));
        String agent = signedInMember(ws);
        String offer = acceptedOffer(ws);
        JsonPath wrapping = post(COMPLETE, "o", offer);
        assertEquals("WRAP_UP", wrapping.getString("data.completeWork.state"), wrapping.prettify());
        OffsetDateTime until = OffsetDateTime.parse(wrapping.getString("data.completeWork.wrapUpUntil"));
        assertNull(wrapping.get("data.completeWork.completedAt"));
        assertEquals(until, OffsetDateTime.parse(agent(agent).getString("data.agent.wrapUpUntil")));
        assertEquals(30, agent(agent).getInt("data.agent.capacityUsed"), "the capacity stays held while wrapping up");
        assertEquals(List.of("WRAP_UP"), EligibilityTest.reasons(agent, ws));
        assertTrue(EligibilityTest.explanation(agent, ws).get(0).startsWith("Wraps up until "));
        assertEquals("NO_ELIGIBLE_AGENT", errorCode(offerWork(ws, unique("item"))), "an agent in wrap-up is offered nothing");

        long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        while (!"COMPLETED".equals(offerState(offer)) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertEquals("COMPLETED", offerState(offer));
        assertTrue(OffsetDateTime.now().isAfter(until), "not before wrapUpUntil");
        assertNull(agent(agent).get("data.agent.wrapUpUntil"));
        assertEquals(0, agent(agent).getInt("data.agent.capacityUsed"), "freed once");
        assertEquals(List.of(), EligibilityTest.reasons(agent, ws));
        assertEquals(agent, required(offerWork(ws, unique("item")), "data.offerWork.agent.id"));
    }

    @Test
    void aSecondCompleteWorkEndsTheWrapUpEarly() {
        String ws = createWorkstream(Map.of("allowedPresences", List.of("AVAILABLE"), "wrapUpSeconds", 600));
        String agent = signedInMember(ws);
        String offer = acceptedOffer(ws);
        assertEquals("WRAP_UP", post(COMPLETE, "o", offer).getString("data.completeWork.state"));
        JsonPath done = post(COMPLETE, "o", offer);
        assertEquals("COMPLETED", done.getString("data.completeWork.state"));
        assertNotNull(done.getString("data.completeWork.completedAt"));
        assertEquals(List.of(), EligibilityTest.reasons(agent, ws));
        assertEquals("CONFLICT", errorCode(post(COMPLETE, "o", offer)), "completed once");
    }

    @Test
    void aRejectionKeepsItsReasonAndMovesTheAgentWhereTheWorkstreamSays() {
        String breakPresence = createPresence("AWAY");
        String ws = createWorkstream(Map.of("allowedPresences", List.of("AVAILABLE"), "presenceAfterRejectId", breakPresence));
        assertEquals(breakPresence, post("query($w: ID!) { workstream(id: $w) { presenceAfterReject { id } } }", "w", ws)
                .getString("data.workstream.presenceAfterReject.id"));
        String agent = signedInMember(ws);
        String other = signedInMember(ws);
        String item = unique("item");
        JsonPath first = offerWork(ws, item);
        String offer = required(first, "data.offerWork.id");
        String offered = first.getString("data.offerWork.agent.id");

        JsonPath tooLong = post(REJECT, "o", offer, "r", "x".repeat(201));
        assertEquals("BAD_USER_INPUT", errorCode(tooLong));
        assertTrue(errorMessage(tooLong).contains("200"), errorMessage(tooLong));
        assertEquals("PENDING", offerState(offer), "nothing written");

        JsonPath rejected = post(REJECT, "o", offer, "r", "  Customer asked for another language  ");
        assertEquals("REJECTED", rejected.getString("data.rejectOffer.state"));
        assertEquals("Customer asked for another language", rejected.getString("data.rejectOffer.rejectReason"));
        assertEquals(breakPresence, agent(offered).getString("data.agent.presence.id"));
        assertEquals("OFFER_REJECTED", history(offered).get(0).get("cause"));
        String next = post("query($i: String) { offers(workItem: $i, state: PENDING) { agent { id } } }", "i", item)
                .getString("data.offers[0].agent.id");
        assertEquals(offered.equals(agent) ? other : agent, next, "re-offered to the next agent");
        assertEquals(0, post("query($a: ID!) { agent(id: $a) { missedInARow } }", "a", offered).getInt("data.agent.missedInARow"),
                "never a miss");

        JsonPath blank = post(REJECT, "o", post("query($i: String) { offers(workItem: $i, state: PENDING) { id } }", "i", item)
                .getString("data.offers[0].id"), "r", "   ");
        assertNull(blank.get("data.rejectOffer.rejectReason"), "empty is stored as null");

        org.ccpresence.support.Fixtures.setPresence(agent, 1);
        org.ccpresence.support.Fixtures.setPresence(other, 1);
        JsonPath inUse = post("mutation($p: ID!) { deletePresence(id: $p) }", "p", breakPresence);
        assertEquals("CONFLICT", errorCode(inUse), inUse.prettify());
        assertTrue(errorMessage(inUse).contains("presenceAfterReject"), errorMessage(inUse));
    }

    @Test
    void supervisorsAndAgentsReadTheNewWorkstreamFields() {
        String ws = createWorkstream(Map.of("presenceAfterRejectId", "4", "wrapUpSeconds", 20));
        for (String token : List.of(org.ccpresence.support.Tokens.supervisor(), org.ccpresence.support.Tokens.agent(unique("reader")))) {
            JsonPath read = org.ccpresence.support.GraphQL.postAs(token, "{ workstreams { id wrapUpSeconds presenceAfterReject { id name } } }");
            assertNull(read.get("errors"), read.prettify());
            assertEquals("4", read.getString("data.workstreams.find { it.id == '" + ws + "' }.presenceAfterReject.id"));
            assertEquals(20, read.getInt("data.workstreams.find { it.id == '" + ws + "' }.wrapUpSeconds"));
        }
    }

    @Test
    void workstreamInputsAreChecked() {
        JsonPath tooLong = post("mutation($in: WorkstreamInput!) { createWorkstream(input: $in) { id } }", "in",
                Map.of("name", unique("W"), "type", "MESSAGING", "wrapUpSeconds", 3601));
        assertEquals("BAD_USER_INPUT", errorCode(tooLong));
        assertTrue(errorMessage(tooLong).contains("wrapUpSeconds"), errorMessage(tooLong));
        JsonPath inactive = post("mutation($in: WorkstreamInput!) { createWorkstream(input: $in) { id } }", "in",
                Map.of("name", unique("W"), "type", "MESSAGING", "presenceAfterRejectId", "5"));
        assertEquals("BAD_USER_INPUT", errorCode(inactive));
        JsonPath unknown = post("mutation($in: WorkstreamInput!) { createWorkstream(input: $in) { id } }", "in",
                Map.of("name", unique("W"), "type", "MESSAGING", "presenceAfterRejectId", "987654321"));
        assertEquals("BAD_USER_INPUT", errorCode(unknown));

        String ws = createWorkstream(Map.of("wrapUpSeconds", 30, "presenceAfterRejectId", "4"));
        JsonPath kept = post("mutation($w: ID!, $in: WorkstreamInput!) { updateWorkstream(id: $w, input: $in) { wrapUpSeconds presenceAfterReject { id } } }",
                "w", ws, "in", Map.of("name", unique("W"), "type", "MESSAGING"));
        assertEquals(30, kept.getInt("data.updateWorkstream.wrapUpSeconds"), "left out: kept");
        assertEquals("4", kept.getString("data.updateWorkstream.presenceAfterReject.id"));
        java.util.HashMap<String, Object> clear = new java.util.HashMap<>(Map.of("name", unique("W"), "type", "MESSAGING"));
        clear.put("presenceAfterRejectId", null);
        JsonPath cleared = post("mutation($w: ID!, $in: WorkstreamInput!) { updateWorkstream(id: $w, input: $in) { presenceAfterReject { id } } }",
                "w", ws, "in", clear);
        assertNull(cleared.get("data.updateWorkstream.presenceAfterReject"), cleared.prettify());
    }
}
