package org.ccpresence;

import static io.restassured.RestAssured.given;
import static org.ccpresence.support.Fixtures.createWorkstream;
import static org.ccpresence.support.Fixtures.offerWork;
import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.Fixtures.setPresence;
import static org.ccpresence.support.Fixtures.signedInAgent;
import static org.ccpresence.support.Fixtures.signedInMember;
import static org.ccpresence.support.GraphQL.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.ccpresence.support.GraphQLWs;
import org.ccpresence.support.GraphQLWs.Protocol;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.Vertx;

/** Operators' metrics at /q/metrics (Prometheus text format): each moves when the thing it counts happens. */
@QuarkusTest
class MetricsTest {

    @Inject
    Vertx vertx;

    static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The value of the first sample of {@code name} whose labels contain {@code labels}; 0 when there is none. */
    static double value(String scrape, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$").matcher(scrape);
        while (m.find()) {
            if (m.group(1).contains(labels)) {
                return Double.parseDouble(m.group(2));
            }
        }
        Matcher plain = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(scrape);
        return labels.isEmpty() && plain.find() ? Double.parseDouble(plain.group(1)) : 0;
    }

    static void awaitAbove(String name, String labels, double before) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (value(metrics(), name, labels) <= before && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(value(metrics(), name, labels) > before, name + "{" + labels + "} did not move from " + before);
    }

    /**
     * The pool and this replica's LISTEN connection report apart (clientName "<default>" and "listen"): under one name
     * the LISTEN connection's gauges were refused as already registered, and its requests counted as the pool's.
     */
    @Test
    void theListenConnectionIsReportedApartFromThePool() throws Exception {
        post("{ presences { id } }");
        String scrape = metrics();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (value(scrape, "postgresql_completed_total", "clientName=\"listen\"") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            scrape = metrics();
        }
        assertTrue(value(scrape, "postgresql_completed_total", "clientName=\"<default>\"") > 0, "the pool's requests");
        assertTrue(value(scrape, "postgresql_completed_total", "clientName=\"listen\"") > 0, "the LISTEN connection's requests");
        assertTrue(scrape.contains("postgresql_queue_size{clientName=\"listen\""), "the LISTEN connection's queue");
    }

    @Test
    void presenceChangesTheirDeliveryAndTheOpenSubscriptionsAreCounted() throws Exception {
        String agent = signedInAgent();
        String before = metrics();
        try (GraphQLWs ws = GraphQLWs.connect(vertx, RestAssured.port, Protocol.TRANSPORT_WS)) {
            var sub = ws.subscribe("subscription($a: [ID!]) { presenceChanged(agentIds: $a) { sequence } }", Map.of("a", List.of(agent)));
            Thread.sleep(300);
            String open = metrics();
            assertEquals(value(before, "presence_subscriptions", "") + 1, value(open, "presence_subscriptions", ""), 0.0,
                    "this subscription");
            assertEquals(value(before, "presence_websocket_connections", "") + 1, value(open, "presence_websocket_connections", ""),
                    0.0, "this socket");
            int changes = 5;
            for (int i = 0; i < changes; i++) {
                setPresence(agent, i % 2 == 0 ? 2 : 3); // an administrator's call: cause SUPERVISOR
                sub.nextData(Duration.ofSeconds(10));
            }
            String supervisor = "cause=\"SUPERVISOR\"";
            awaitAbove("presence_changes_total", supervisor, value(before, "presence_changes_total", supervisor) + changes - 1);
            String after = metrics();
            // nothing else makes SUPERVISOR changes meanwhile, and this is the only subscriber: the counts are exact
            assertEquals(changes, value(after, "presence_changes_total", supervisor) - value(before, "presence_changes_total", supervisor),
                    0.0);
            assertEquals(changes, value(after, "presence_delivery_seconds_count", "") - value(before, "presence_delivery_seconds_count", ""),
                    0.0);
            assertTrue(value(after, "presence_group_commit_batch_size_count", "")
                    - value(before, "presence_group_commit_batch_size_count", "") >= changes, "a batch per call here");
        }
        String closed = metrics();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (value(closed, "presence_websocket_connections", "") != value(before, "presence_websocket_connections", "")
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
            closed = metrics();
        }
        assertEquals(value(before, "presence_websocket_connections", ""), value(closed, "presence_websocket_connections", ""), 0.0,
                "closed again");
        String scrape = metrics();
        assertTrue(scrape.contains("presence_delivery_seconds_bucket"), "delivery is a histogram");
        assertTrue(scrape.contains("http_server_requests_seconds_count"), "the HTTP server's own metrics");
    }

    @Test
    void offersSweepsAndTheFloorAreCounted() throws Exception {
        String before = metrics();
        String ws = createWorkstream(List.of("AVAILABLE"), false, 60);
        signedInMember(ws);
        required(offerWork(ws, "metrics-item"), "data.offerWork.id");
        awaitAbove("presence_offers_total", "outcome=\"OFFERED\"", value(before, "presence_offers_total", "outcome=\"OFFERED\""));
        awaitAbove("presence_sweep_seconds_count", "sweep=\"offers\"", value(before, "presence_sweep_seconds_count", "sweep=\"offers\""));
        awaitAbove("presence_sweep_seconds_count", "sweep=\"time_limit\"", 0);
        awaitAbove("presence_sweep_seconds_count", "sweep=\"disconnect\"", 0);
        awaitAbove("presence_agents_signed_in", "base_status=\"AVAILABLE\"", 0);
        awaitAbove("presence_sweep_seconds_count", "sweep=\"wrap_up\"", 0);
    }

    @Test
    void rejectionsPerWorkstreamAndWrapUpDurationsAreMeasured() throws Exception {
        String ws = createWorkstream(java.util.Map.of("allowedPresences", List.of("AVAILABLE"), "wrapUpSeconds", 600));
        signedInMember(ws);
        String rejected = required(offerWork(ws, "metrics-rejected"), "data.offerWork.id");
        required(post("mutation($o: ID!) { rejectOffer(offerId: $o, reason: \"busy\") { id } }", "o", rejected), "data.rejectOffer.id");
        awaitAbove("presence_offers_rejected_total", "workstream=\"" + ws + "\"", 0);

        String before = metrics();
        signedInMember(ws);
        String offer = required(offerWork(ws, "metrics-wrap-up"), "data.offerWork.id");
        required(post("mutation($o: ID!) { acceptOffer(offerId: $o) { id } }", "o", offer), "data.acceptOffer.id");
        String complete = "mutation($o: ID!) { completeWork(offerId: $o) { state } }";
        assertEquals("WRAP_UP", post(complete, "o", offer).getString("data.completeWork.state"));
        assertEquals("COMPLETED", post(complete, "o", offer).getString("data.completeWork.state"));
        awaitAbove("presence_wrap_up_seconds_count", "", value(before, "presence_wrap_up_seconds_count", ""));
        awaitAbove("presence_offers_total", "outcome=\"WRAP_UP\"", value(before, "presence_offers_total", "outcome=\"WRAP_UP\""));
    }
}
