package org.ccpresence.bench;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.ccpresence.support.TestDatabase;
import org.ccpresence.support.Tokens;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Scenario r: the reports on a seeded day — {@code agents} agents × 100 changes over yesterday (each signs in — agents are
 * created signed out, in Offline —, changes
 * presence 98 times among Available, Busy, Busy – DND and Away, signs out), written straight into the change log with
 * one {@code INSERT … SELECT FROM generate_series}; then the four questions, asked the way a client asks them
 * (over HTTP, one request at a time, 1 000 agents a page), one warm-up round and five measured.
 */
final class ReportsBenchmark {

    static final int CHANGES_PER_AGENT = 100;
    static final int ROUNDS = 5;
    /** What the reports page asks for its table. */
    static final String SUMMARY = """
            query($from: DateTime!, $to: DateTime!, $after: ID) {
              presenceSummary(from: $from, to: $to, first: 1000, after: $after) {
                agent { id name } signedInSeconds changes byBaseStatus { baseStatus seconds } } }""";
    /** The same with the time per presence, as a payroll or WFM export would ask. */
    static final String SUMMARY_BY_PRESENCE = """
            query($from: DateTime!, $to: DateTime!, $after: ID) {
              presenceSummary(from: $from, to: $to, first: 1000, after: $after) {
                agent { id name } signedInSeconds changes byBaseStatus { baseStatus seconds }
                byPresence { presence { id name baseStatus } seconds } } }""";
    static final String ONE_AGENT = """
            query($from: DateTime!, $to: DateTime!, $a: [ID!]) {
              presenceSummary(from: $from, to: $to, agentIds: $a) {
                signedInSeconds changes byBaseStatus { baseStatus seconds } byPresence { presence { id presenceText } seconds } } }""";
    /** What the reports page asks. */
    static final String FLOOR = """
            query($at: DateTime!, $after: ID) {
              floorAt(at: $at, first: 1000, after: $after) {
                agent { id name } signedIn presence { name } baseStatus since } }""";

    private final Benchmark bench;
    private final int agents;
    private final GraphQLClient client;
    private final String yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1).atStartOfDay(ZoneOffset.UTC).toOffsetDateTime().toString();
    private final String today = LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toOffsetDateTime().toString();

    ReportsBenchmark(Benchmark bench, int agents) {
        this.bench = bench;
        this.agents = agents;
        this.client = new GraphQLClient(bench.baseUrl(), Tokens.supervisor());
    }

    List<String> run() throws Exception {
        List<String> report = new ArrayList<>();
        long seeded = seed();
        report.add(String.format("r: seeded %d agents, %d changes over yesterday (%s)", agents, seeded, yesterday));
        // the service's change feed reads what was inserted, as it would have live: not part of what is measured
        bench.awaitIdle();
        JsonObject day = new JsonObject().put("from", yesterday).put("to", today);
        report.add(timed("r: presenceSummary, yesterday, all agents, pages of 1 000 (the reports page's fields)",
                () -> pages(SUMMARY, day, "presenceSummary", agents)));
        report.add(timed("r: the same with byPresence { presence { id name baseStatus } seconds }",
                () -> pages(SUMMARY_BY_PRESENCE, day, "presenceSummary", agents)));
        report.add(timed("r: presenceSummary, one agent, 31 days", () -> {
            JsonArray rows = client.data(ONE_AGENT, new JsonObject().put("from", LocalDate.now(ZoneOffset.UTC).minusDays(30)
                    .atStartOfDay(ZoneOffset.UTC).toOffsetDateTime().toString()).put("to", today).put("a", List.of("1")))
                    .getJsonArray("presenceSummary");
            return check(rows.size() == 1 && rows.getJsonObject(0).getInteger("changes") == CHANGES_PER_AGENT, "one agent's summary", rows);
        }));
        String quarterPastTen = yesterday.replace("T00:00", "T10:15");
        report.add(timed("r: floorAt " + quarterPastTen + ", all agents, pages of 1 000",
                () -> pages(FLOOR, new JsonObject().put("at", quarterPastTen), "floorAt", agents)));
        long heapBefore = bench.liveHeapKb();
        report.add(timed("r: GET /reports/presence-summary.csv, yesterday, all agents", () -> {
            HttpResponse<byte[]> csv = client.get("/reports/presence-summary.csv?from=" + yesterday + "&to=" + today);
            long lines = new String(csv.body()).lines().count();
            return check(csv.statusCode() == 200 && lines == agents + 1, "CSV lines " + lines, csv.statusCode()) + " (" + csv.body().length + " bytes)";
        }));
        report.add(String.format("r: service live heap after a full GC: %d MiB before the CSV rounds, %d MiB after", heapBefore / 1024,
                bench.liveHeapKb() / 1024));
        return report;
    }

    /** One round trip per page, each page after the last one's final agent; returns how many rows came back. */
    private String pages(String query, JsonObject variables, String field, int expected) throws Exception {
        int rows = 0;
        String after = null;
        while (true) {
            JsonArray page = client.data(query, variables.copy().put("after", after)).getJsonArray(field);
            rows += page.size();
            if (page.size() < 1000) {
                break;
            }
            after = page.getJsonObject(page.size() - 1).getJsonObject("agent").getString("id");
        }
        return check(rows == expected, "rows " + rows, expected);
    }

    private static String check(boolean ok, String what, Object detail) {
        if (!ok) {
            throw new IllegalStateException(what + " is wrong: " + detail);
        }
        return what;
    }

    private interface Step {
        String run() throws Exception;
    }

    private static String timed(String name, Step step) throws Exception {
        Benchmark.progress(name);
        step.run(); // warm-up round, not reported
        long[] millis = new long[ROUNDS];
        String outcome = "";
        for (int i = 0; i < ROUNDS; i++) {
            long t0 = System.nanoTime();
            outcome = step.run();
            millis[i] = (System.nanoTime() - t0) / 1_000_000;
        }
        long[] sorted = millis.clone();
        Arrays.sort(sorted);
        return String.format("%-80s rounds %s ms  min %d  median %d  max %d  [%s]", name, Arrays.toString(millis), sorted[0],
                sorted[ROUNDS / 2], sorted[ROUNDS - 1], outcome);
    }

    /** The day, set-based: every agent's 100 changes, in time order, numbered by the service's own sequence. */
    private long seed() throws Exception {
        Benchmark.progress("seeding " + agents + " agents × " + CHANGES_PER_AGENT + " changes");
        try (Connection c = TestDatabase.connect(Benchmark.DATABASE)) {
            c.createStatement().execute("INSERT INTO agent (user_id, name, created_at) SELECT 'day-' || g, 'Day ' || g, "
                    + "'" + yesterday + "'::timestamptz - interval '1 day' FROM generate_series(1, " + agents + ") g");
            c.createStatement().execute("""
                    INSERT INTO presence_change (sequence, agent_id, previous_presence_id, current_presence_id, cause, at, version, base_status, signed_in)
                    SELECT nextval('presence_change_sequence'), agent_id, NULL, presence, cause, at, n, base, signed
                    FROM (SELECT a.id AS agent_id, n,
                                 '%s'::timestamptz + make_interval(secs => n * 850 + (a.id %% 800)) AS at,
                                 CASE WHEN n = 1 THEN 'SIGN_IN' WHEN n = %2$d THEN 'SIGN_OUT' ELSE 'AGENT' END AS cause,
                                 CASE WHEN n = %2$d THEN 6 ELSE (ARRAY[1,2,3,4])[1 + (n + a.id) %% 4] END AS presence,
                                 CASE WHEN n = %2$d THEN 'OFFLINE' ELSE (ARRAY['AVAILABLE','BUSY','BUSY_DND','AWAY'])[1 + (n + a.id) %% 4] END AS base,
                                 n < %2$d AS signed
                          FROM agent a, generate_series(1, %2$d) n ORDER BY at) s
                    """.formatted(yesterday, CHANGES_PER_AGENT));
            c.createStatement().execute("VACUUM ANALYZE");
            var count = c.createStatement().executeQuery("SELECT count(*) FROM presence_change");
            count.next();
            return count.getLong(1);
        }
    }
}
