package org.ccpresence.reports;

import static io.restassured.RestAssured.given;
import static org.ccpresence.reports.PresenceSummaryTest.SUMMARY;
import static org.ccpresence.reports.PresenceSummaryTest.pause;
import static org.ccpresence.support.Fixtures.agentInput;
import static org.ccpresence.support.Fixtures.createWorkstream;
import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.Fixtures.setPresence;
import static org.ccpresence.support.Fixtures.signIn;
import static org.ccpresence.support.Fixtures.signOut;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.unique;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.ccpresence.support.Tokens;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
class PresenceSummaryCsvTest {

    static final String HEADER = "agentId,userId,name,signedInSeconds,availableSeconds,busySeconds,busyDndSeconds,"
            + "awaySeconds,offlineSeconds,changes";

    @Test
    void theCsvIsTheSummaryWithQuotedNames() throws Exception {
        String workstream = createWorkstream(List.of("AVAILABLE"), false, 60);
        List<String> names = List.of("Plain Name", "Doe, Jane", "Ann \"The Voice\" Lee");
        List<String> agents = new ArrayList<>();
        for (String name : names) {
            agents.add(required(post("mutation($in: AgentInput!) { createAgent(input: $in) { id } }", "in",
                    agentInput(unique("csv"), name, null, List.of(workstream))), "data.createAgent.id"));
        }
        Instant from = Instant.now().minusSeconds(10);
        signIn(agents.get(0));
        signIn(agents.get(1));
        pause();
        setPresence(agents.get(1), 4);
        pause();
        signOut(agents.get(0));
        pause();
        Instant to = Instant.now();

        Response csv = csv(Tokens.supervisor(), "from=" + from + "&to=" + to + "&workstreamId=" + workstream);
        assertEquals(200, csv.statusCode(), csv::asString);
        assertThat(csv.contentType(), containsString("text/csv"));
        assertThat(csv.contentType().toLowerCase(Locale.ROOT), containsString("charset=utf-8"));
        String body = csv.asString();
        assertTrue(body.endsWith("\r\n") && !body.replace("\r\n", "").contains("\n"), "every line ends with CRLF");
        List<List<String>> rows = parse(body);
        assertEquals(List.of(HEADER.split(",")), rows.get(0));
        assertEquals(4, rows.size(), body);

        List<Map<String, Object>> summary = post(SUMMARY, "from", from.toString(), "to", to.toString(), "w", workstream)
                .getList("data.presenceSummary");
        for (int i = 0; i < 3; i++) {
            List<String> row = rows.get(i + 1);
            Map<String, Object> expected = summary.get(i);
            assertEquals(agents.get(i), row.get(0));
            assertEquals(names.get(i), row.get(2), "the name survives quoting");
            assertEquals(seconds(expected.get("signedInSeconds")), row.get(3));
            Map<String, Double> statuses = PresenceSummaryTest.byBaseStatus(expected);
            List<String> columns = List.of("AVAILABLE", "BUSY", "BUSY_DND", "AWAY", "OFFLINE");
            for (int c = 0; c < columns.size(); c++) {
                assertEquals(seconds(statuses.getOrDefault(columns.get(c), 0.0)), row.get(4 + c), columns.get(c));
            }
            assertEquals(String.valueOf(expected.get("changes")), row.get(9));
        }
        assertThat(body, containsString("\"Doe, Jane\""));
        assertThat(body, containsString("\"Ann \"\"The Voice\"\" Lee\""));
    }

    @Test
    void badParametersTokensAndRolesGetTheirStatus() {
        Instant now = Instant.now();
        Response noFrom = csv(Tokens.admin(), "to=" + now);
        assertEquals(400, noFrom.statusCode());
        assertThat(noFrom.asString(), containsString("from"));
        assertEquals(1, noFrom.asString().strip().lines().count(), "a one-line reason");
        assertEquals(400, csv(Tokens.admin(), "from=yesterday&to=" + now).statusCode());
        assertThat(csv(Tokens.admin(), "from=" + now.minusSeconds(40L * 86400) + "&to=" + now).asString(), containsString("31 days"));
        assertEquals(400, csv(Tokens.admin(), "from=" + now + "&to=" + now.minusSeconds(5)).statusCode());
        assertEquals(400, csv(Tokens.admin(), "from=" + now.minusSeconds(60) + "&to=" + now + "&workstreamId=abc").statusCode());
        assertEquals(400, csv(Tokens.admin(), "from=" + now.minusSeconds(60) + "&to=" + now + "&workstreamId=987654321").statusCode());
        String ok = "from=" + now.minusSeconds(60) + "&to=" + now;
        assertEquals(401, csv(null, ok).statusCode());
        assertEquals(401, csv(Tokens.badSignature(), ok).statusCode());
        assertEquals(403, csv(Tokens.withRoles("guest", Set.of("guest")), ok).statusCode());
    }

    @Test
    void anAgentDownloadsTheirOwnRowOnly() {
        String userId = unique("csv-agent").replace(' ', '-');
        String me = required(post("mutation($in: AgentInput!) { createAgent(input: $in) { id } }", "in",
                agentInput(userId, "Me Myself", null, null)), "data.createAgent.id");
        Instant now = Instant.now();
        Response csv = csv(Tokens.agent(userId), "from=" + now.minusSeconds(60) + "&to=" + now);
        assertEquals(200, csv.statusCode(), csv::asString);
        List<List<String>> rows = parse(csv.asString());
        assertEquals(2, rows.size());
        assertEquals(me, rows.get(1).get(0));
    }

    static Response csv(String token, String query) {
        var request = given();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return request.get("/reports/presence-summary.csv?" + query.replace("+", "%2B"));
    }

    private static String seconds(Object value) {
        return String.format(Locale.ROOT, "%.3f", ((Number) value).doubleValue());
    }

    /** An RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks. */
    static List<List<String>> parse(String csv) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < csv.length(); i++) {
            char c = csv.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < csv.length() && csv.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                row.add(field.toString());
                field.setLength(0);
            } else if (c == '\r' && i + 1 < csv.length() && csv.charAt(i + 1) == '\n') {
                row.add(field.toString());
                field.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
                i++;
            } else {
                field.append(c);
            }
        }
        return rows;
    }
}
