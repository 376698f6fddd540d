package org.ccpresence.stream;

import static org.ccpresence.support.Fixtures.setPresence;
import static org.ccpresence.support.Fixtures.signedInAgent;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.ccpresence.support.GraphQLWs;
import org.ccpresence.support.GraphQLWs.Protocol;
import org.ccpresence.support.TestDatabase;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

/**
 * A replica refuses subscriptions beyond its limit, closes a socket its client stopped reading, and lets one address
 * hold only so many sockets that have not said hello.
 */
@QuarkusTest
@TestProfile(OverloadTest.SmallLimits.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OverloadTest {

    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("presence.graphql.max-subscriptions", "5", "presence.graphql.write-timeout", "2s",
                    "presence.graphql.max-uninitialised-per-address", "3");
        }
    }

    static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    Vertx vertx;

    /** After the stalled socket of the other test was closed: its subscriptions no longer count. */
    @Test
    @Order(2)
    void subscriptionsBeyondTheReplicasLimitAreRefusedUntilOneEnds() throws Exception {
        String agent = signedInAgent();
        try (GraphQLWs first = GraphQLWs.connect(vertx, RestAssured.port, Protocol.TRANSPORT_WS);
                GraphQLWs second = GraphQLWs.connect(vertx, RestAssured.port, Protocol.LEGACY_WS)) {
            List<GraphQLWs.Subscription> open = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                open.add((i % 2 == 0 ? first : second).subscribe(PresenceStreamTest.SUBSCRIPTION, Map.of("agents", List.of(agent))));
            }
            Thread.sleep(300);
            setPresence(agent, 3); // all five are live (the two connections' subscriptions are taken in any order)
            for (var live : open) {
                assertEquals(agent, live.nextData(WAIT).getJsonObject("presenceChanged").getString("agentId"));
            }
            String refused = second.subscribe(PresenceStreamTest.SUBSCRIPTION, Map.of()).nextError(WAIT);
            assertThat(refused, containsString("INTERNAL"));
            assertThat(refused, containsString("subscribe through another replica, or retry later"));

            open.get(0).stop();
            Thread.sleep(300);
            var replacement = second.subscribe(PresenceStreamTest.SUBSCRIPTION, Map.of("agents", List.of(agent)));
            Thread.sleep(300);
            setPresence(agent, 2);
            assertEquals(agent, replacement.nextData(WAIT).getJsonObject("presenceChanged").getString("agentId"));
            for (var still : open.subList(1, 5)) {
                assertEquals(agent, still.nextData(WAIT).getJsonObject("presenceChanged").getString("agentId"));
            }
        }
    }

    @Test
    @Order(1)
    void aSocketWhoseClientStopsReadingIsClosedAfterTheWriteTimeout() throws Exception {
        try (Connection c = TestDatabase.connect();
                GraphQLWs ws = GraphQLWs.connect(vertx, new HttpClientOptions().setReceiveBufferSize(16 * 1024),
                        RestAssured.port, Protocol.TRANSPORT_WS)) {
            List<String> agents = new ArrayList<>();
            var created = c.createStatement().executeQuery("INSERT INTO agent (user_id, name, signed_in, presence_id) "
                    + "SELECT 'unread-' || gen_random_uuid(), 'Unread ' || g, true, 1 FROM generate_series(1, 100) g RETURNING id");
            while (created.next()) {
                agents.add(created.getString(1));
            }
            var all = ws.subscribe(PresenceStreamTest.SUBSCRIPTION, Map.of("agents", agents));
            // live once it delivers a change: a change made before it is registered is not its to deliver, so one
            // is made again until one arrives (a fixed pause was too short on a loaded machine)
            var probe = c.prepareStatement("UPDATE agent SET presence_id = CASE presence_id WHEN 4 THEN 1 ELSE 4 END, "
                    + "presence_cause = 'SUPERVISOR', presence_since = now() WHERE id = " + agents.get(0));
            JsonObject live = null;
            for (int i = 0; i < 50 && live == null; i++) {
                probe.executeUpdate();
                live = all.nextMessage(Duration.ofMillis(300));
            }
            assertTrue(live != null, "the subscription delivered nothing");
            ws.pauseReading();
            var change = c.prepareStatement("UPDATE agent SET presence_id = CASE presence_id WHEN 2 THEN 3 ELSE 2 END, "
                    + "presence_cause = 'SUPERVISOR', presence_since = now() WHERE user_id LIKE 'unread-%'");
            for (int i = 0; i < 20; i++) {
                change.executeUpdate(); // 2 000 changes: far more than the socket holds
            }
            Thread.sleep(4000); // twice the write timeout
            ws.resumeReading();
            JsonObject m;
            int events = 0;
            while ((m = all.nextMessage(Duration.ofSeconds(5))) != null) {
                events++;
            }
            assertEquals((short) 1008, ws.closeStatus(), "closed for not reading, after " + events + " events");
            assertThat(ws.closeReason(), containsString("read nothing"));
            assertTrue(events > 0);
        }
    }

    @Test
    @Order(3)
    void oneAddressHoldsOnlySoManySocketsWithoutConnectionInit() throws Exception {
        HttpClient http = vertx.createHttpClient();
        try {
            List<WebSocket> silent = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                silent.add(upgrade(http).get(10, TimeUnit.SECONDS));
            }
            ExecutionException refused = assertThrows(ExecutionException.class, () -> upgrade(http).get(10, TimeUnit.SECONDS));
            assertThat(refused.getCause().getMessage(), containsString("429"));

            silent.get(0).writeTextMessage("{\"type\":\"connection_init\"}");
            Thread.sleep(300);
            assertTrue(upgrade(http).get(10, TimeUnit.SECONDS) != null, "a socket that said hello no longer counts");
        } finally {
            http.close();
        }
    }

    private CompletableFuture<WebSocket> upgrade(HttpClient http) {
        return http.webSocket(new WebSocketConnectOptions().setHost("localhost").setPort(RestAssured.port).setURI("/graphql")
                .setSubProtocols(List.of("graphql-transport-ws"))).toCompletionStage().toCompletableFuture();
    }
}
