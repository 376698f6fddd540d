package org.ccpresence.security;

import static org.ccpresence.support.Fixtures.agentInput;
import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.Fixtures.setPresence;
import static org.ccpresence.support.Fixtures.signIn;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.postAs;
import static org.ccpresence.support.GraphQL.unique;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
import io.vertx.core.json.JsonObject;

@QuarkusTest
class WebSocketAuthTest {

    static final String CHANGES = "subscription($a: [ID!]) { presenceChanged(agentIds: $a) { agentId cause current { id } } }";
    static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    Vertx vertx;

    record Agent(String id, String userId) {
    }

    static Agent signedInAgent() {
        String userId = unique("ws-user");
        String id = required(post("mutation($in: AgentInput!) { createAgent(input: $in) { id } }", "in",
                agentInput(userId, "WS", null, null)), "data.createAgent.id");
        signIn(id);
        return new Agent(id, userId);
    }

    GraphQLWs withInitPayload(Protocol protocol, String token) throws Exception {
        return GraphQLWs.connect(vertx, RestAssured.port, protocol, Map.of("Authorization", "Bearer " + token), Map.of());
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void anAgentFollowsItsOwnChangesWithTheTokenInConnectionInit(Protocol protocol) throws Exception {
        Agent me = signedInAgent();
        try (GraphQLWs ws = withInitPayload(protocol, Tokens.agent(me.userId()))) {
            var sub = ws.subscribe(CHANGES, Map.of("a", List.of(me.id())));
            Thread.sleep(300);
            JsonObject r = new JsonObject(postAs(Tokens.agent(me.userId()), "mutation { setPresence(presenceId: 3) { id } }").prettify());
            assertEquals(me.id(), r.getJsonObject("data").getJsonObject("setPresence").getString("id"), "agentId defaults to the caller");
            JsonObject change = sub.nextData(WAIT).getJsonObject("presenceChanged");
            assertEquals("AGENT", change.getString("cause"), "the agent chose it");
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void theTokenMayComeOnTheUpgradeRequest(Protocol protocol) throws Exception {
        Agent me = signedInAgent();
        try (GraphQLWs ws = GraphQLWs.connect(vertx, RestAssured.port, protocol, null,
                Map.of("Authorization", "Bearer " + Tokens.agent(me.userId())))) {
            var sub = ws.subscribe(CHANGES, Map.of());
            Thread.sleep(300);
            setPresence(me.id(), 2);
            assertEquals(me.id(), sub.nextData(WAIT).getJsonObject("presenceChanged").getString("agentId"),
                    "without agentIds an agent follows their own agent");
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void anAgentCannotFollowSomeoneElse(Protocol protocol) throws Exception {
        Agent me = signedInAgent();
        Agent other = signedInAgent();
        try (GraphQLWs ws = withInitPayload(protocol, Tokens.agent(me.userId()))) {
            assertThat(ws.subscribe(CHANGES, Map.of("a", List.of(other.id()))).nextError(WAIT), containsString("FORBIDDEN"));
            assertThat(ws.subscribe("subscription($a: ID) { offerUpdates(agentId: $a) { id } }", Map.of("a", other.id())).nextError(WAIT),
                    containsString("FORBIDDEN"));
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void withoutValidCredentialsNoSubscriptionStarts(Protocol protocol) throws Exception {
        for (String token : new String[] { null, Tokens.expired(), Tokens.badSignature(), Tokens.wrongIssuer() }) {
            GraphQLWs ws;
            try {
                ws = GraphQLWs.connect(vertx, RestAssured.port, protocol,
                        token == null ? null : Map.of("Authorization", "Bearer " + token), Map.of());
            } catch (IllegalStateException refusedAtInit) {
                continue; // the server closed the connection instead of acknowledging it
            }
            try (ws) {
                String error = ws.subscribe(CHANGES, Map.of()).nextError(WAIT);
                assertThat(error, containsString("UNAUTHENTICATED"));
            }
        }
    }

    @Test
    void aSubscriptionEndsWhenItsTokenExpires() throws Exception {
        Agent me = signedInAgent();
        String shortLived = Tokens.expiring(me.userId(), Set.of(Tokens.AGENT), 3);
        try (GraphQLWs ws = withInitPayload(Protocol.TRANSPORT_WS, shortLived)) {
            var sub = ws.subscribe(CHANGES, Map.of());
            String error = sub.nextError(Duration.ofSeconds(15));
            assertThat(error, containsString("UNAUTHENTICATED"));
            assertThat(error, containsString("expired"));
        }
    }
}
