package org.ccpresence.reports;

import static org.ccpresence.reports.PresenceSummaryTest.assertRefused;
import static org.ccpresence.reports.PresenceSummaryTest.pause;
import static org.ccpresence.support.Fixtures.createAgent;
import static org.ccpresence.support.Fixtures.createPresence;
import static org.ccpresence.support.Fixtures.createWorkstream;
import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.Fixtures.setPresence;
import static org.ccpresence.support.Fixtures.signIn;
import static org.ccpresence.support.Fixtures.signOut;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.postAs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.ccpresence.support.Tokens;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class FloorAtTest {

    static final String FLOOR_AT = """
            query($at: DateTime!, $w: ID, $first: Int, $after: ID) {
              floorAt(at: $at, workstreamId: $w, first: $first, after: $after) {
                agent { id } signedIn presence { id } baseStatus since
              }
            }""";

    @Test
    void theFloorBetweenEveryPairOfChangesIsWhatTheChangesSay() throws Exception {
        String workstream = createWorkstream(List.of("AVAILABLE"), false, 60);
        String ada = createAgent(null, List.of(workstream));
        String bob = createAgent(null, List.of(workstream));
        String lunch = createPresence("AWAY");
        Instant beforeBob = Instant.now();
        signIn(ada);
        pause();
        signIn(bob);
        pause();
        setPresence(ada, lunch);
        pause();
        setPresence(bob, 3);
        pause();
        // the edit changes Ada's base status but not when her presence began
        required(post("mutation($id: ID!, $in: PresenceInput!) { updatePresence(id: $id, input: $in) { id } }", "id", lunch,
                "in", Map.of("name", "Lunch " + lunch, "presenceText", "Lunch", "baseStatus", "BUSY_DND")), "data.updatePresence.id");
        pause();
        signOut(bob);
        pause();
        setPresence(ada, 1);
        pause();

        List<Map<String, Object>> adaChanges = Timeline.history(ada);
        List<Map<String, Object>> bobChanges = Timeline.history(bob);
        TreeSet<Instant> moments = new TreeSet<>();
        adaChanges.forEach(c -> moments.add(Timeline.at(c)));
        bobChanges.forEach(c -> moments.add(Timeline.at(c)));
        List<Instant> probes = new ArrayList<>();
        Instant previous = null;
        for (Instant moment : moments) {
            if (previous != null) {
                probes.add(Timeline.between(previous, moment));
            }
            probes.add(moment); // at a change itself: that change counts
            previous = moment;
        }
        probes.add(moments.last().plusMillis(50));
        Timeline.waitUntilPast(moments.last().plusMillis(50));

        String[] baseStatusOfAda = { "AVAILABLE", "AWAY", "BUSY_DND", "AVAILABLE" };
        for (Instant probe : probes) {
            JsonPath floor = post(FLOOR_AT, "at", probe.toString(), "w", workstream);
            List<Map<String, Object>> rows = floor.getList("data.floorAt");
            assertEquals(List.of(ada, bob), floor.getList("data.floorAt.agent.id"), floor::prettify);
            assertAgentAt(rows.get(0), adaChanges, baseStatusOfAda, probe);
            assertAgentAt(rows.get(1), bobChanges, null, probe);
        }
        assertEquals(List.of(), post(FLOOR_AT, "at", beforeBob.minusSeconds(3600).toString(), "w", workstream)
                .getList("data.floorAt"), "agents created later were not on the floor");
    }

    /** The row is the agent as their last change at or before the probe left them. */
    private static void assertAgentAt(Map<String, Object> row, List<Map<String, Object>> changes, String[] baseStatuses,
            Instant probe) {
        int last = -1;
        for (int i = 0; i < changes.size(); i++) {
            if (!Timeline.at(changes.get(i)).isAfter(probe)) {
                last = i;
            }
        }
        String where = "at " + probe + ": " + row;
        if (last < 0) {
            assertEquals(false, row.get("signedIn"), where);
            assertEquals("6", ((Map<?, ?>) row.get("presence")).get("id"), where);
            assertEquals("OFFLINE", row.get("baseStatus"), where);
            return;
        }
        Map<String, Object> change = changes.get(last);
        Map<?, ?> current = (Map<?, ?>) change.get("current");
        assertEquals(current.get("id"), ((Map<?, ?>) row.get("presence")).get("id"), where);
        assertEquals(!change.get("cause").equals("SIGN_OUT"), row.get("signedIn"), where);
        int began = last;
        while (changes.get(began).get("cause").equals("PRESENCE_EDITED")) {
            began--;
        }
        assertEquals(Timeline.at(changes.get(began)), OffsetDateTime.parse((String) row.get("since")).toInstant(), where);
        String expectedStatus = baseStatuses != null ? baseStatuses[last] : (String) current.get("baseStatus");
        assertEquals(expectedStatus, row.get("baseStatus"), where);
    }

    @Test
    void everyAgentIsListedInIdOrderAndPaged() {
        String workstream = createWorkstream(List.of("AVAILABLE"), false, 60);
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(createAgent(null, List.of(workstream)));
        }
        members.sort(Comparator.comparingLong(Long::parseLong));
        String now = Instant.now().toString();
        assertEquals(members.subList(0, 2), post(FLOOR_AT, "at", now, "w", workstream, "first", 2).getList("data.floorAt.agent.id"));
        assertEquals(members.subList(2, 3), post(FLOOR_AT, "at", now, "w", workstream, "first", 2, "after", members.get(1))
                .getList("data.floorAt.agent.id"));
    }

    @Test
    void theFutureAndOtherRolesAreRefused() {
        assertRefused(post(FLOOR_AT, "at", Instant.now().plusSeconds(60).toString()), "BAD_USER_INPUT", "future");
        assertRefused(post(FLOOR_AT, "at", "10:15"), "BAD_USER_INPUT", "");
        assertRefused(post(FLOOR_AT, "at", Instant.now().toString(), "first", 1001), "BAD_USER_INPUT", "first must be 1–1000");
        assertRefused(post(FLOOR_AT, "at", Instant.now().toString(), "w", "987654321"), "NOT_FOUND", "987654321");
        assertRefused(postAs(Tokens.agent("someone"), FLOOR_AT, "at", Instant.now().toString()), "FORBIDDEN", "");
        assertEquals((Object) null, postAs(Tokens.supervisor(), FLOOR_AT, "at", Instant.now().toString(), "first", 1).get("errors"));
    }
}
