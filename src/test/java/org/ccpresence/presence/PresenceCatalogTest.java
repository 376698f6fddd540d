package org.ccpresence.presence;

import static org.ccpresence.support.GraphQL.errorCode;
import static org.ccpresence.support.GraphQL.errorMessage;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.unique;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
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
class PresenceCatalogTest {

    static final String FIELDS = "id name presenceText baseStatus description systemPresence agentSelectable createdAt updatedAt";
    static final String CREATE = "mutation($in: PresenceInput!) { createPresence(input: $in) { " + FIELDS + " } }";
    static final String UPDATE = "mutation($id: ID!, $in: PresenceInput!) { updatePresence(id: $id, input: $in) { " + FIELDS + " } }";
    static final String DELETE = "mutation($id: ID!) { deletePresence(id: $id) }";

    static Map<String, Object> input(String name, String text, String baseStatus, String description) {
        var in = new java.util.HashMap<String, Object>();
        in.put("name", name);
        in.put("presenceText", text);
        in.put("baseStatus", baseStatus);
        in.put("description", description);
        return in;
    }

    static String create(String name, String baseStatus) {
        JsonPath r = post(CREATE, "in", input(name, name + " text", baseStatus, null));
        assertNull(r.get("errors"), () -> r.prettify());
        return r.getString("data.createPresence.id");
    }

    @Test
    void warningsFlagATextThatReadsLikeAnotherBaseStatus() {
        String check = "query($in: PresenceInput!) { presenceWarnings(input: $in) }";
        Map<List<String>, String> readsAs = new java.util.LinkedHashMap<>();
        readsAs.put(List.of("Available – Training", "OFFLINE"), "AVAILABLE");
        readsAs.put(List.of("Offline for lunch", "AVAILABLE"), "OFFLINE");
        readsAs.put(List.of("Busy – DND", "BUSY"), "BUSY_DND"); // DND wins over the busy that comes first
        readsAs.put(List.of("Do not disturb", "AWAY"), "BUSY_DND");
        readsAs.put(List.of("busy, then away", "AWAY"), "BUSY"); // the first status word counts
        readsAs.forEach((in, reads) -> {
            JsonPath r = post(check, "in", input("n", in.get(0), in.get(1), null));
            assertEquals(List.of("The presence text reads like " + reads + " but the base status is " + in.get(1)
                    + ": routing will treat agents in it as " + in.get(1) + "."), r.getList("data.presenceWarnings"), in::toString);
        });
        for (List<String> fine : List.of(List.of("Busy – DND", "BUSY_DND"), List.of("Away – Training", "AWAY"),
                List.of("In a meeting", "BUSY"), List.of("Unavailable", "OFFLINE"))) {
            JsonPath r = post(check, "in", input("n", fine.get(0), fine.get(1), null));
            assertEquals(List.of(), r.getList("data.presenceWarnings"), fine::toString);
        }
    }

    @Test
    void systemPresencesExistWithFixedIds() {
        JsonPath r = post("{ presences { " + FIELDS + " } }");
        List<Map<String, Object>> all = r.getList("data.presences");
        Map<String, List<Object>> expected = Map.of(
                "1", List.of("Available", "AVAILABLE", "AVAILABLE", true),
                "2", List.of("Busy", "BUSY", "BUSY", true),
                "3", List.of("Busy – DND", "BUSY_DND", "BUSY_DND", true),
                "4", List.of("Away", "AWAY", "AWAY", true),
                "5", List.of("Inactive", "AWAY", "INACTIVE", false),
                "6", List.of("Offline", "OFFLINE", "OFFLINE", true));
        expected.forEach((id, want) -> {
            Map<String, Object> p = all.stream().filter(x -> id.equals(x.get("id"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no system presence " + id));
            assertEquals(want, List.of(p.get("name"), p.get("baseStatus"), p.get("systemPresence"), p.get("agentSelectable")));
        });
        assertEquals("Inactive", post("{ presence(id: 5) { name } }").getString("data.presence.name"));
    }

    @Test
    void createTrimsAndReadsBack() {
        String name = unique("Away – Training");
        JsonPath r = post(CREATE, "in", input("  " + name + "  ", " In training ", "AWAY", "  Weekly product training "));
        assertNull(r.get("errors"), r::prettify);
        Map<String, Object> p = r.getMap("data.createPresence");
        assertEquals(name, p.get("name"));
        assertEquals("In training", p.get("presenceText"));
        assertEquals("Weekly product training", p.get("description"));
        assertEquals("AWAY", p.get("baseStatus"));
        assertNull(p.get("systemPresence"));
        assertEquals(true, p.get("agentSelectable"));
        assertThat(Long.parseLong((String) p.get("id")), org.hamcrest.Matchers.greaterThanOrEqualTo(100L));

        JsonPath read = post("query($id: ID!) { presence(id: $id) { name presenceText createdAt } }", "id", p.get("id"));
        assertEquals(name, read.getString("data.presence.name"));
        assertThat(read.getString("data.presence.createdAt"), containsString("T"));
        assertThat(post("{ presences { name } }").getList("data.presences.name"), hasItem(name));
    }

    @Test
    void invalidInputIsRefusedWithTheFieldToFix() {
        String ok = unique("Valid");
        String[][] cases = {
                { "   ", "text", null, "name" },
                { "x".repeat(101), "text", null, "name" },
                { ok, "  ", null, "presenceText" },
                { ok, "y".repeat(501), null, "presenceText" },
                { ok, "text", "z".repeat(501), "description" } };
        for (String[] c : cases) {
            JsonPath r = post(CREATE, "in", input(c[0], c[1], "BUSY", c[2]));
            assertEquals("BAD_USER_INPUT", errorCode(r), r::prettify);
            assertThat(errorMessage(r), containsString(c[3]));
            assertThat(r.get("data"), nullValue());
        }
        assertThat(post("{ presences { name } }").getList("data.presences.name"), not(hasItem(ok)));

        JsonPath badEnum = post(CREATE, "in", input(ok, "text", "SLEEPING", null));
        assertEquals("BAD_USER_INPUT", errorCode(badEnum), badEnum::prettify);
        String exactlyHundred = unique("n").concat("x".repeat(100)).substring(0, 100);
        assertNull(post(CREATE, "in", input(exactlyHundred, "t", "BUSY", null)).get("errors"));
    }

    @Test
    void duplicateNameIgnoringCaseIsAConflict() {
        String name = unique("Busy – Meeting");
        create(name, "BUSY");
        JsonPath r = post(CREATE, "in", input(name.toUpperCase(), "other", "AWAY", null));
        assertEquals("CONFLICT", errorCode(r), r::prettify);
        assertThat(errorMessage(r), containsString("already exists"));
        JsonPath system = post(CREATE, "in", input("offline", "x", "OFFLINE", null));
        assertEquals("CONFLICT", errorCode(system));
    }

    @Test
    void systemPresencesAreImmutable() {
        for (int id = 1; id <= 6; id++) {
            JsonPath u = post(UPDATE, "id", id, "in", input(unique("Renamed"), "x", "BUSY", null));
            assertEquals("FORBIDDEN", errorCode(u), u::prettify);
            JsonPath d = post(DELETE, "id", id);
            assertEquals("FORBIDDEN", errorCode(d), d::prettify);
        }
        assertEquals("Available", post("{ presence(id: 1) { name } }").getString("data.presence.name"));
    }

    @Test
    void updateAndDeleteCustomPresence() {
        String id = create(unique("Lunch"), "AWAY");
        String renamed = unique("Lunch break");
        JsonPath u = post(UPDATE, "id", id, "in", input(renamed, "At lunch", "OFFLINE", "back at 2"));
        assertNull(u.get("errors"), u::prettify);
        assertEquals("OFFLINE", u.getString("data.updatePresence.baseStatus"));
        assertEquals(renamed, post("query($id: ID!) { presence(id: $id) { name } }", "id", id).getString("data.presence.name"));

        assertEquals(id, post(DELETE, "id", id).getString("data.deletePresence"));
        assertNull(post("query($id: ID!) { presence(id: $id) { name } }", "id", id).get("data.presence"));
        assertFalse(post("{ presences { id } }").getList("data.presences.id").contains(id));
        assertEquals("NOT_FOUND", errorCode(post(DELETE, "id", id)));
        assertEquals("NOT_FOUND", errorCode(post(UPDATE, "id", id, "in", input(renamed, "x", "BUSY", null))));
        // The name is free again once its presence is deleted.
        create(renamed, "BUSY");
    }

    @Test
    void renamingOntoAnExistingNameIsAConflictAndChangesNothing() {
        String taken = unique("Taken");
        create(taken, "BUSY");
        String mine = unique("Mine");
        String id = create(mine, "AWAY");
        JsonPath r = post(UPDATE, "id", id, "in", input(taken.toLowerCase(), "x", "BUSY", null));
        assertEquals("CONFLICT", errorCode(r), r::prettify);
        JsonPath read = post("query($id: ID!) { presence(id: $id) { name baseStatus } }", "id", id);
        assertEquals(mine, read.getString("data.presence.name"));
        assertEquals("AWAY", read.getString("data.presence.baseStatus"));
    }

    @Test
    void malformedIdsAndQueriesAreBadUserInput() {
        JsonPath notAnId = post("{ presence(id: \"abc\") { name } }");
        assertEquals("BAD_USER_INPUT", errorCode(notAnId), notAnId::prettify);
        JsonPath syntax = post("{ presences { name ");
        assertEquals("BAD_USER_INPUT", errorCode(syntax), syntax::prettify);
        JsonPath unknownField = post("{ presences { colour } }");
        assertEquals("BAD_USER_INPUT", errorCode(unknownField), unknownField::prettify);
        assertThat(errorMessage(unknownField), containsString("colour"));
    }

    @Test
    void overDeepQueryIsRefused() {
        String deep = "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }";
        JsonPath r = post(deep);
        assertEquals("BAD_USER_INPUT", errorCode(r), r::prettify);
        assertThat(errorMessage(r), containsString("depth"));
        assertTrue(r.get("data") == null || r.getMap("data") == null || r.getMap("data").get("__schema") == null);
    }

    @Test
    void everyErrorCarriesOnlyAContractCode() {
        JsonPath r = post(DELETE, "id", 1);
        assertThat(r.getMap("errors[0].extensions").keySet(), equalTo(java.util.Set.of("code")));
    }
}
