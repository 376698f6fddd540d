package org.ccpresence.stream;

import static org.ccpresence.support.Fixtures.agentInput;
import static org.ccpresence.support.Fixtures.createWorkstream;
import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.Fixtures.setPresence;
import static org.ccpresence.support.Fixtures.signIn;
import static org.ccpresence.support.Fixtures.signedInAgent;
import static org.ccpresence.support.Fixtures.signedInMember;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.ccpresence.support.GraphQLWs;
import org.ccpresence.support.GraphQLWs.Protocol;
import org.ccpresence.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

/**
 * Subscribers of one operation share one rendering of each change: filters and roles still decide who gets it, and
 * everyone who gets it gets the same bytes, once, in order.
 */
@QuarkusTest
class SharedRenderingTest {

    static final String DOCUMENT = "subscription($a: [ID!], $w: ID) { presenceChanged(agentIds: $a, workstreamId: $w) "
            + "{ sequence agentId cause current { id name } } }";
    static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    Vertx vertx;

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void sharedRenderingNeverSendsAChangeTheFilterOrRoleExcludes(Protocol protocol) throws Exception {
        String workstream = createWorkstream(List.of("AVAILABLE"), false, 60);
        String member = signedInMember(workstream);
        String followed = signedInAgent();
        String unrelated = signedInAgent();
        String ownUser = unique("own");
        String own = required(post("mutation($in: AgentInput!) { createAgent(input: $in) { id } }", "in",
                agentInput(ownUser, "Own", null, null)), "data.createAgent.id");
        signIn(own);

        try (GraphQLWs asAgent = GraphQLWs.connect(vertx, RestAssured.port, protocol,
                Map.of("Authorization", "Bearer " + Tokens.agent(ownUser)), Map.of());
                GraphQLWs asSupervisor = GraphQLWs.connect(vertx, RestAssured.port, protocol,
                        Map.of("Authorization", "Bearer " + Tokens.supervisor()), Map.of())) {
            var agentUnfiltered = asAgent.subscribe(DOCUMENT, Map.of());
            var byAgent = asSupervisor.subscribe(DOCUMENT, Map.of("a", List.of(followed)));
            var byWorkstream = asSupervisor.subscribe(DOCUMENT, Map.of("w", workstream));
            var everyone = asSupervisor.subscribe(DOCUMENT, Map.of());
            Thread.sleep(300);
            for (String agent : List.of(unrelated, member, followed, own)) {
                setPresence(agent, 2);
            }

            assertEquals(own, agentOf(agentUnfiltered.nextData(WAIT)), "an agent sees only their own agent");
            assertEquals(followed, agentOf(byAgent.nextData(WAIT)));
            assertEquals(member, agentOf(byWorkstream.nextData(WAIT)));
            Set<String> mine = Set.of(unrelated, member, followed, own);
            assertEquals(List.of(unrelated, member, followed, own), everyone.agentsOfNext(4, mine, WAIT));
            for (var quiet : List.of(agentUnfiltered, byAgent, byWorkstream)) {
                quiet.expectSilence(Duration.ofMillis(300));
            }
            everyone.expectSilenceFrom(mine, Duration.ofMillis(300)); // it also sees what other tests change
        }
    }

    private static String agentOf(JsonObject data) {
        return data.getJsonObject("presenceChanged").getString("agentId");
    }

    /** 1 000 subscriptions of one shape (10 connections × 100): each gets every change once, in order, byte-identical. */
    @Test
    void aThousandSubscribersOfOneShapeGetTheSameBytesForEveryChangeOnce() throws Exception {
        int connections = 10;
        int perConnection = 100;
        int changes = 20;
        String agent = signedInAgent();
        HttpClient http = vertx.createHttpClient();
        List<WebSocket> sockets = new ArrayList<>();
        Map<String, BlockingQueue<String>> payloads = new ConcurrentHashMap<>();
        try {
            for (int c = 0; c < connections; c++) {
                String connection = "c" + c;
                CompletableFuture<Void> acknowledged = new CompletableFuture<>();
                WebSocket socket = http.webSocket(new WebSocketConnectOptions().setHost("localhost").setPort(RestAssured.port)
                        .setURI("/graphql").setSubProtocols(List.of("graphql-transport-ws")))
                        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                sockets.add(socket);
                socket.textMessageHandler(text -> {
                    JsonObject message = new JsonObject(text);
                    if ("connection_ack".equals(message.getString("type"))) {
                        acknowledged.complete(null);
                    } else if ("next".equals(message.getString("type"))) {
                        // the payload exactly as written on the wire: the frame ends with it and a closing brace
                        String raw = text.substring(text.indexOf("\"payload\":") + "\"payload\":".length(), text.length() - 1);
                        payloads.computeIfAbsent(connection + "/" + message.getString("id"), k -> new LinkedBlockingQueue<>()).add(raw);
                    }
                });
                socket.writeTextMessage(new JsonObject().put("type", "connection_init")
                        .put("payload", new JsonObject().put("Authorization", "Bearer " + Tokens.admin())).encode());
                acknowledged.get(10, TimeUnit.SECONDS);
                for (int s = 0; s < perConnection; s++) {
                    payloads.put(connection + "/" + s, new LinkedBlockingQueue<>());
                    socket.writeTextMessage(new JsonObject().put("id", Integer.toString(s)).put("type", "subscribe")
                            .put("payload", new JsonObject().put("query", DOCUMENT).put("variables", new JsonObject()
                                    .put("a", List.of(agent)))).encode());
                }
            }
            Thread.sleep(1000);
            for (int i = 0; i < changes; i++) {
                setPresence(agent, i % 2 == 0 ? 2 : 3);
            }

            Map<Integer, String> expected = new HashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            for (var subscriber : payloads.entrySet()) {
                List<String> received = new ArrayList<>();
                for (int i = 0; i < changes; i++) {
                    String payload = subscriber.getValue().poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (payload == null) {
                        throw new AssertionError(subscriber.getKey() + " got " + received.size() + " of " + changes + " changes");
                    }
                    received.add(payload);
                }
                for (int i = 0; i < changes; i++) {
                    String first = expected.putIfAbsent(i, received.get(i));
                    if (first != null) {
                        assertEquals(first, received.get(i), subscriber.getKey() + ": change " + i + " differs");
                    }
                }
            }
            List<Long> sequences = expected.values().stream().map(p -> Long.valueOf(new JsonObject(p).getJsonObject("data")
                    .getJsonObject("presenceChanged").getString("sequence"))).toList();
            assertEquals(changes, sequences.stream().distinct().count(), "every change once");
            assertEquals(sequences.stream().sorted().toList(), sequences, "in order");
            Thread.sleep(300);
            payloads.forEach((subscriber, left) -> assertEquals(0, left.size(), subscriber + " got more than every change once"));
            assertEquals(connections * perConnection, payloads.size());
        } finally {
            sockets.forEach(WebSocket::close);
            http.close();
        }
    }
}
