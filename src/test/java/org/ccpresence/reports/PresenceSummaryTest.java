package org.ccpresence.reports;

import static org.ccpresence.support.Fixtures.createAgent;
import static org.ccpresence.support.Fixtures.createPresence;
import static org.ccpresence.support.Fixtures.createWorkstream;
import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.Fixtures.setPresence;
import static org.ccpresence.support.Fixtures.signIn;
import static org.ccpresence.support.Fixtures.signOut;
import static org.ccpresence.support.GraphQL.errorCode;
import static org.ccpresence.support.GraphQL.errorMessage;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.postAs;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.ccpresence.support.Tokens;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class PresenceSummaryTest {

    static final String SUMMARY = """
            query($from: DateTime!, $to: DateTime!, $ids: [ID!], $w: ID, $first: Int, $after: ID) {
              presenceSummary(from: $from, to: $to, agentIds: $ids, workstreamId: $w, first: $first, after: $after) {
                agent { id } signedInSeconds changes
                byBaseStatus { baseStatus seconds } byPresence { presence { id } seconds }
              }
            }""";

    @Test
    void timeIsCountedPerBaseStatusAndPresenceWhileSignedIn() throws Exception {
        String agent = createAgent();
        String training = createPresence("AWAY");
        Timeline day = Timeline.of(agent, () -> {
            signIn(agent);
            pause();
            setPresence(agent, 4);
            pause();
            setPresence(agent, training);
            pause();
            signOut(agent);
            pause();
            signIn(agent);
            pause();
            setPresence(agent, 2);
            pause();
        });
        Instant from = day.first().minusSeconds(5);
        Instant to = day.last().plusMillis(300);
        Timeline.waitUntilPast(to); // else the report rightly stops at now, before to
        Map<String, Object> row = single(summary(from, to, agent));
        day.assertMatches(row, from, to);
        assertEquals(6, ((Number) row.get("changes")).intValue());
        assertTrue(day.signedInSeconds(from, to) > 0.5, "the scripted day spends time signed in");
        assertTrue(day.signedInSeconds(from, to) < Timeline.seconds(from, to) - 5,
                "the time before signing in and while signed out is not counted");
    }

    @Test
    void thePeriodClipsAtBothEndsAndAtNow() throws Exception {
        String agent = createAgent();
        Timeline day = Timeline.of(agent, () -> {
            signIn(agent);
            pause();
            setPresence(agent, 4);
            pause();
            setPresence(agent, 3);
            pause();
            setPresence(agent, 1);
            pause();
        });
        // from inside the second span, to inside the third: the first change before from opens the period
        Instant from = Timeline.between(day.at(1), day.at(2));
        Instant to = Timeline.between(day.at(2), day.at(3));
        Map<String, Object> clipped = single(summary(from, to, agent));
        day.assertMatches(clipped, from, to);
        assertEquals(1, ((Number) clipped.get("changes")).intValue(), "only the change inside [from, to) counts");
        assertEquals(Timeline.seconds(from, to), seconds(clipped.get("signedInSeconds")), 0.001);

        // a period reaching into the future is counted up to now only
        Instant before = Instant.now();
        Map<String, Object> untilNow = single(summary(day.first().minusSeconds(1), Instant.now().plusSeconds(3600), agent));
        Instant after = Instant.now();
        double signedIn = seconds(untilNow.get("signedInSeconds"));
        assertTrue(signedIn >= (before.toEpochMilli() - day.first().toEpochMilli()) / 1000.0 - 0.002
                && signedIn <= (after.toEpochMilli() - day.first().toEpochMilli()) / 1000.0 + 0.002,
                "signed in from the first change to now: " + signedIn);
    }

    @Test
    void theBaseStatusIsTheOneThePresenceHadAtTheTime() throws Exception {
        String agent = createAgent();
        String project = createPresence("AWAY");
        signIn(agent);
        setPresence(agent, project);
        pause();
        required(post("mutation($id: ID!, $in: PresenceInput!) { updatePresence(id: $id, input: $in) { id } }", "id", project,
                "in", Map.of("name", "Project " + project, "presenceText", "Project work", "baseStatus", "BUSY")), "data.updatePresence.id");
        pause();
        setPresence(agent, 1);
        List<Map<String, Object>> history = Timeline.history(agent);
        Instant entered = Timeline.at(history.get(1));
        Instant edited = Timeline.at(history.get(2));
        Instant left = Timeline.at(history.get(3));
        assertEquals("PRESENCE_EDITED", history.get(2).get("cause"));
        Map<String, Object> row = single(summary(entered, left, agent));
        Map<String, Double> statuses = byBaseStatus(row);
        assertEquals(Timeline.seconds(entered, edited), statuses.get("AWAY"), 0.002, "before the edit the presence was AWAY");
        assertEquals(Timeline.seconds(edited, left), statuses.get("BUSY"), 0.002, "after it, BUSY");
        assertEquals(List.of(project), ((List<Map<String, Object>>) row.get("byPresence")).stream()
                .map(p -> ((Map<?, ?>) p.get("presence")).get("id")).toList(), "one presence throughout");
    }

    @Test
    void signingOutWhileInOfflineIsAChangeAndEndsTheSignedInTime() throws Exception {
        String agent = createAgent();
        signIn(agent);
        setPresence(agent, 6); // Offline, chosen while signed in
        pause();
        signOut(agent);
        pause();
        List<Map<String, Object>> history = Timeline.history(agent);
        assertEquals(List.of("SIGN_IN", "SUPERVISOR", "SIGN_OUT"), history.stream().map(c -> c.get("cause")).toList());
        Instant chose = Timeline.at(history.get(1));
        Instant out = Timeline.at(history.get(2));
        Map<String, Object> row = single(summary(Timeline.at(history.get(0)), Instant.now(), agent));
        assertEquals(Timeline.seconds(Timeline.at(history.get(0)), out), seconds(row.get("signedInSeconds")), 0.001,
                "signed in until the sign-out, not after it");
        assertEquals(Timeline.seconds(chose, out), byBaseStatus(row).get("OFFLINE"), 0.001, "Offline while signed in counts");
    }

    @Test
    void everyAgentOfTheFilterHasARowInIdOrderPagedWithAfter() {
        String workstream = createWorkstream(List.of("AVAILABLE"), false, 60);
        List<String> members = List.of(createAgent(null, List.of(workstream)), createAgent(null, List.of(workstream)),
                createAgent(null, List.of(workstream)));
        signIn(members.get(1));
        Instant from = Instant.now().minusSeconds(60);
        Instant to = Instant.now().plusSeconds(60);
        JsonPath firstPage = post(SUMMARY, "from", from.toString(), "to", to.toString(), "w", workstream, "first", 2);
        assertEquals(members.subList(0, 2), firstPage.getList("data.presenceSummary.agent.id"), firstPage::prettify);
        assertEquals(0.0, firstPage.getDouble("data.presenceSummary[0].signedInSeconds"), "zeros are included");
        assertEquals(List.of(), firstPage.getList("data.presenceSummary[0].byBaseStatus"));
        JsonPath rest = post(SUMMARY, "from", from.toString(), "to", to.toString(), "w", workstream, "first", 2, "after", members.get(1));
        assertEquals(members.subList(2, 3), rest.getList("data.presenceSummary.agent.id"));
        JsonPath both = post(SUMMARY, "from", from.toString(), "to", to.toString(), "w", workstream, "ids", List.of(members.get(2), members.get(0)));
        assertEquals(List.of(members.get(0), members.get(2)), both.getList("data.presenceSummary.agent.id"), "both filters apply");
    }

    @Test
    void badPeriodsAndPagesAreRefusedWithTheFix() {
        Instant now = Instant.now();
        assertRefused(post(SUMMARY, "from", now.toString(), "to", now.toString()), "BAD_USER_INPUT", "from must be before to");
        assertRefused(post(SUMMARY, "from", now.minusSeconds(32L * 86400).toString(), "to", now.toString()), "BAD_USER_INPUT", "31 days");
        assertRefused(post(SUMMARY, "from", now.minusSeconds(60).toString(), "to", now.toString(), "first", 0), "BAD_USER_INPUT", "first must be 1–1000");
        assertRefused(post(SUMMARY, "from", now.minusSeconds(60).toString(), "to", now.toString(), "first", 1001), "BAD_USER_INPUT", "first must be 1–1000");
        assertRefused(post(SUMMARY, "from", "yesterday", "to", now.toString()), "BAD_USER_INPUT", "");
        assertRefused(post(SUMMARY, "from", now.minusSeconds(60).toString(), "to", now.toString(), "ids", List.of("x1")), "BAD_USER_INPUT", "id");
        assertRefused(post(SUMMARY, "from", now.minusSeconds(60).toString(), "to", now.toString(), "w", "987654321"), "NOT_FOUND", "987654321");
    }

    @Test
    void anAgentAsksAboutThemselvesOnly() {
        String userId = org.ccpresence.support.GraphQL.unique("report-user").replace(' ', '-');
        String me = required(post("mutation($in: AgentInput!) { createAgent(input: $in) { id } }", "in",
                Map.of("userId", userId, "name", "Me")), "data.createAgent.id");
        String other = createAgent();
        String token = Tokens.agent(userId);
        Instant from = Instant.now().minusSeconds(60);
        Instant to = Instant.now();
        JsonPath own = postAs(token, SUMMARY, "from", from.toString(), "to", to.toString());
        assertEquals(List.of(me), own.getList("data.presenceSummary.agent.id"), own::prettify);
        assertEquals(List.of(me), postAs(token, SUMMARY, "from", from.toString(), "to", to.toString(), "ids", List.of(me))
                .getList("data.presenceSummary.agent.id"));
        assertRefused(postAs(token, SUMMARY, "from", from.toString(), "to", to.toString(), "ids", List.of(me, other)), "FORBIDDEN", "");
        assertEquals("FORBIDDEN", errorCode(postAs(Tokens.withRoles("nobody", java.util.Set.of("guest")), SUMMARY,
                "from", from.toString(), "to", to.toString())));
        assertEquals(List.of(other), postAs(Tokens.supervisor(), SUMMARY, "from", from.toString(), "to", to.toString(),
                "ids", List.of(other)).getList("data.presenceSummary.agent.id"), "supervisors ask about anyone");
    }

    static JsonPath summary(Instant from, Instant to, String agent) {
        return post(SUMMARY, "from", from.toString(), "to", to.toString(), "ids", List.of(agent));
    }

    static Map<String, Object> single(JsonPath r) {
        List<Map<String, Object>> rows = r.getList("data.presenceSummary");
        assertEquals(1, rows == null ? 0 : rows.size(), r::prettify);
        return rows.get(0);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Double> byBaseStatus(Map<String, Object> row) {
        Map<String, Double> seconds = new java.util.HashMap<>();
        ((List<Map<String, Object>>) row.get("byBaseStatus")).forEach(t -> seconds.put((String) t.get("baseStatus"), seconds(t.get("seconds"))));
        return seconds;
    }

    static double seconds(Object value) {
        return ((Number) value).doubleValue();
    }

    static void assertRefused(JsonPath r, String code, String message) {
        assertEquals(code, errorCode(r), r::prettify);
        assertThat(errorMessage(r), containsString(message));
    }

    static void pause() throws InterruptedException {
        Thread.sleep(120);
    }
}
