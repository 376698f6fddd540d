package org.ccpresence.workstream;

import static org.ccpresence.support.Fixtures.createWorkstream;
import static org.ccpresence.support.Fixtures.offerWork;
import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.Fixtures.setPresence;
import static org.ccpresence.support.Fixtures.signedInMember;
import static org.ccpresence.support.GraphQL.errorCode;
import static org.ccpresence.support.GraphQL.errorMessage;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.unique;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class WorkstreamTest {

    static final String FIELDS = "id name type allowedPresences missedNotifications offerTimeoutSeconds";
    static final String CREATE = "mutation($in: WorkstreamInput!) { createWorkstream(input: $in) { " + FIELDS + " } }";

    static Map<String, Object> input(String name, Object allowed, Object missed, Object timeout) {
        Map<String, Object> in = new HashMap<>();
        in.put("name", name);
        in.put("type", "VOICE");
        in.put("allowedPresences", allowed);
        in.put("missedNotifications", missed);
        in.put("offerTimeoutSeconds", timeout);
        return in;
    }

    @Test
    void createAppliesTheContractDefaults() {
        String name = unique("Support");
        JsonPath r = post(CREATE, "in", input(name, null, null, null));
        assertNull(r.get("errors"), r::prettify);
        assertEquals(List.of("AVAILABLE", "BUSY"), r.getList("data.createWorkstream.allowedPresences"));
        assertEquals(false, r.getBoolean("data.createWorkstream.missedNotifications"));
        assertEquals(120, r.getInt("data.createWorkstream.offerTimeoutSeconds"));
        assertEquals("VOICE", r.getString("data.createWorkstream.type"));
        String id = r.getString("data.createWorkstream.id");
        assertEquals(name, post("query($id: ID!) { workstream(id: $id) { name } }", "id", id).getString("data.workstream.name"));
        assertThat(post("{ workstreams { name } }").getList("data.workstreams.name").toString(), containsString(name));
    }

    @Test
    void invalidWorkstreamsAreRefused() {
        Object[][] bad = {
                { List.of("AVAILABLE", "OFFLINE"), null, null, "OFFLINE" },
                { List.of(), null, null, "at least one" },
                { List.of("BUSY", "BUSY"), null, null, "twice" },
                { null, null, 4, "offerTimeoutSeconds" },
                { null, null, 3601, "offerTimeoutSeconds" } };
        for (Object[] c : bad) {
            JsonPath r = post(CREATE, "in", input(unique("Bad"), c[0], c[1], c[2]));
            assertEquals("BAD_USER_INPUT", errorCode(r), r::prettify);
            assertThat(errorMessage(r), containsString((String) c[3]));
        }
        assertEquals("BAD_USER_INPUT", errorCode(post(CREATE, "in", input("  ", null, null, null))));
        String name = unique("Sales");
        required(post(CREATE, "in", input(name, null, null, 5)), "data.createWorkstream.id");
        assertEquals("CONFLICT", errorCode(post(CREATE, "in", input(name.toLowerCase(), null, null, 3600))));
    }

    @Test
    void updateKeepsWhatIsLeftOutAndDeleteRefusesPendingOffers() {
        String id = createWorkstream(List.of("AVAILABLE"), true, 60);
        JsonPath u = post("mutation($id: ID!, $in: WorkstreamInput!) { updateWorkstream(id: $id, input: $in) { " + FIELDS + " } }",
                "id", id, "in", input(unique("Renamed"), List.of("AVAILABLE", "AWAY"), null, null));
        assertNull(u.get("errors"), u::prettify);
        assertEquals(List.of("AVAILABLE", "AWAY"), u.getList("data.updateWorkstream.allowedPresences"));
        assertEquals(true, u.getBoolean("data.updateWorkstream.missedNotifications"));
        assertEquals(60, u.getInt("data.updateWorkstream.offerTimeoutSeconds"));

        signedInMember(id);
        required(offerWork(id, unique("chat")), "data.offerWork.id");
        JsonPath refused = post("mutation($id: ID!) { deleteWorkstream(id: $id) }", "id", id);
        assertEquals("CONFLICT", errorCode(refused));
        assertThat(errorMessage(refused), containsString("1 pending"));
        String empty = createWorkstream(List.of("AVAILABLE"), false, 60);
        assertEquals(empty, post("mutation($id: ID!) { deleteWorkstream(id: $id) }", "id", empty).getString("data.deleteWorkstream"));
        assertEquals("NOT_FOUND", errorCode(post("mutation($id: ID!) { deleteWorkstream(id: $id) }", "id", empty)));
    }

    @Test
    void membersAndEligibleAgentsFollowTheBaseStatusOnly() {
        String ws = createWorkstream(List.of("AVAILABLE", "BUSY"), false, 60);
        String available = signedInMember(ws);
        String onCustomOffline = signedInMember(ws);
        String away = signedInMember(ws);
        String signedOut = org.ccpresence.support.Fixtures.createAgent(null, List.of(ws));
        String fakeAvailable = required(post("mutation($in: PresenceInput!) { createPresence(input: $in) { id } }", "in",
                Map.of("name", unique("Available – Training"), "presenceText", "Available – Training", "baseStatus", "OFFLINE")),
                "data.createPresence.id");
        setPresence(onCustomOffline, fakeAvailable);
        setPresence(away, 4);
        JsonPath r = post("query($id: ID!) { workstream(id: $id) { agents { id workstreams { id } } eligibleAgents { id } } }", "id", ws);
        assertEquals(List.of(available, onCustomOffline, away, signedOut), r.getList("data.workstream.agents.id"));
        assertEquals(List.of(available), r.getList("data.workstream.eligibleAgents.id"));
        assertEquals(List.of(ws), r.getList("data.workstream.agents[0].workstreams.id"));
        List<String> members = post("query($ws: ID) { agents(filter: {workstreamId: $ws}) { id } }", "ws", ws).getList("data.agents.id");
        assertEquals(4, members.size());
    }
}
