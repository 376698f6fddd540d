package org.ccpresence.reports;

import static org.ccpresence.support.GraphQL.post;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A simple model of one agent's stored changes, read back through presenceHistory: the agent is in each change's
 * presence from its {@code at} until the next change, signed in unless the change signed them out. Reports must agree
 * with it.
 */
final class Timeline {

    interface Script {
        void run() throws Exception;
    }

    record Span(Instant from, Instant to, String presenceId, String baseStatus, boolean signedIn) {
    }

    private final List<Map<String, Object>> changes; // oldest first

    private Timeline(List<Map<String, Object>> changes) {
        this.changes = changes;
    }

    static Timeline of(String agentId, Script script) throws Exception {
        script.run();
        return new Timeline(history(agentId));
    }

    /** The agent's changes, oldest first. */
    static List<Map<String, Object>> history(String agentId) {
        List<Map<String, Object>> newestFirst = post("""
                query($a: ID!) { presenceHistory(agentId: $a, first: 1000) {
                  sequence cause at current { id baseStatus } } }""", "a", agentId).getList("data.presenceHistory");
        List<Map<String, Object>> oldestFirst = new ArrayList<>(newestFirst);
        Collections.reverse(oldestFirst);
        return oldestFirst;
    }

    static Instant at(Map<String, Object> change) {
        return OffsetDateTime.parse((String) change.get("at")).toInstant();
    }

    static Instant between(Instant a, Instant b) {
        return a.plus(Duration.between(a, b).dividedBy(2));
    }

    static void waitUntilPast(Instant moment) throws InterruptedException {
        while (!Instant.now().isAfter(moment.plusMillis(20))) {
            Thread.sleep(20);
        }
    }

    Instant at(int index) {
        return at(changes.get(index));
    }

    Instant first() {
        return at(0);
    }

    Instant last() {
        return at(changes.size() - 1);
    }

    /** The spans within [from, to] (to is in the past). */
    List<Span> spans(Instant from, Instant to) {
        List<Span> spans = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            Instant start = max(at(i), from);
            Instant end = i + 1 < changes.size() ? min(at(i + 1), to) : to;
            if (end.isAfter(start)) {
                Map<String, Object> change = changes.get(i);
                Map<?, ?> current = (Map<?, ?>) change.get("current");
                String cause = (String) change.get("cause");
                spans.add(new Span(start, end, (String) current.get("id"), (String) current.get("baseStatus"),
                        !cause.equals("SIGN_OUT") && !cause.equals("DISCONNECTED")));
            }
        }
        return spans;
    }

    double signedInSeconds(Instant from, Instant to) {
        return spans(from, to).stream().filter(Span::signedIn).mapToDouble(s -> seconds(s.from(), s.to())).sum();
    }

    /** The summary row says what the model says: signed-in time, per base status and per presence. */
    @SuppressWarnings("unchecked")
    void assertMatches(Map<String, Object> row, Instant from, Instant to) {
        Map<String, Double> statuses = new HashMap<>();
        Map<String, Double> presences = new HashMap<>();
        for (Span span : spans(from, to)) {
            if (span.signedIn()) {
                statuses.merge(span.baseStatus(), seconds(span.from(), span.to()), Double::sum);
                presences.merge(span.presenceId(), seconds(span.from(), span.to()), Double::sum);
            }
        }
        assertEquals(signedInSeconds(from, to), ((Number) row.get("signedInSeconds")).doubleValue(), 0.001, "signedInSeconds");
        Map<String, Double> served = PresenceSummaryTest.byBaseStatus(row);
        assertEquals(statuses.keySet(), served.keySet(), "base statuses with time");
        statuses.forEach((status, seconds) -> assertEquals(seconds, served.get(status), 0.001, status));
        Map<String, Double> servedPresences = new HashMap<>();
        ((List<Map<String, Object>>) row.get("byPresence")).forEach(t -> servedPresences.put(
                (String) ((Map<?, ?>) t.get("presence")).get("id"), ((Number) t.get("seconds")).doubleValue()));
        assertEquals(presences.keySet(), servedPresences.keySet(), "presences with time");
        presences.forEach((id, seconds) -> assertEquals(seconds, servedPresences.get(id), 0.001, "presence " + id));
        double parts = served.values().stream().mapToDouble(Double::doubleValue).sum();
        assertEquals(((Number) row.get("signedInSeconds")).doubleValue(), parts, 0.001, "the parts add up to signedInSeconds");
    }

    List<Map<String, Object>> changes() {
        return changes;
    }

    static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
