package org.ccpresence.security;

import static org.ccpresence.support.Fixtures.agentInput;
import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.GraphQL.errorCode;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.postAs;
import static org.ccpresence.support.GraphQL.unique;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;

/**
 * The caller is the token's {@code sub}: identity providers put a stable id there and a human, changeable name in
 * {@code upn} / {@code preferred_username}, which must never decide whose agent a caller acts as.
 */
@QuarkusTest
class CallerIdentityTest {

    @Inject
    Vertx vertx;

    static String agentWithUserId(String userId) {
        return required(post("mutation($in: AgentInput!) { createAgent(input: $in) { id } }", "in",
                agentInput(userId, "Id " + userId, null, null)), "data.createAgent.id");
    }

    @Test
    void theAgentWhoseUserIdIsTheSubjectIsTheCaller() {
        String sub = java.util.UUID.randomUUID().toString();
        String agent = agentWithUserId(sub);
        String token = Tokens.withClaimedNames(sub, Set.of(Tokens.AGENT), "alex@example.com", "alex");

        JsonPath me = postAs(token, "{ me { id userId } }");
        assertEquals(agent, me.getString("data.me.id"), me::prettify);
        JsonPath in = postAs(token, "mutation { signIn { id signedIn } }");
        assertNull(in.get("errors"), in::prettify);
        assertEquals(agent, in.getString("data.signIn.id"));
    }

    @Test
    void aTokenWhoseUpnNamesAnotherAgentActsOnlyAsItsOwnSubject() {
        String victimUserId = unique("victim");
        String victim = agentWithUserId(victimUserId);
        String attacker = unique("attacker");
        String token = Tokens.withClaimedNames(attacker, Set.of(Tokens.AGENT), victimUserId, victimUserId);

        JsonPath me = postAs(token, "{ me { id } }");
        assertNull(me.get("data.me"), "no agent has the attacker's sub: " + me.prettify());
        JsonPath signIn = postAs(token, "mutation { signIn { id } }");
        assertEquals("FORBIDDEN", errorCode(signIn), signIn::prettify);
        assertThat(signIn.getString("errors[0].message"), containsString(attacker));
        JsonPath theirs = postAs(token, "mutation($id: ID!) { signIn(agentId: $id) { id } }", "id", victim);
        assertEquals("FORBIDDEN", errorCode(theirs), theirs::prettify);
        assertEquals(false, post("query($id: ID!) { agent(id: $id) { signedIn } }", "id", victim)
                .getBoolean("data.agent.signedIn"), "the victim was not signed in");
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void overWebSocketTheSubjectDecidesWhoseChangesAnAgentFollows(Protocol protocol) throws Exception {
        String victim = agentWithUserId(unique("victim"));
        String attacker = unique("attacker");
        String own = agentWithUserId(attacker);
        String victimUserId = post("query($id: ID!) { agent(id: $id) { userId } }", "id", victim).getString("data.agent.userId");
        String token = Tokens.withClaimedNames(attacker, Set.of(Tokens.AGENT), victimUserId, victimUserId);
        try (GraphQLWs ws = GraphQLWs.connect(vertx, RestAssured.port, protocol,
                Map.of("Authorization", "Bearer " + token), Map.of())) {
            String refused = ws.subscribe("subscription($a: [ID!]) { presenceChanged(agentIds: $a) { agentId } }",
                    Map.of("a", List.of(victim))).nextError(Duration.ofSeconds(10));
            assertThat(refused, containsString("FORBIDDEN"));
            var mine = ws.subscribe("subscription { presenceChanged { agentId } }", Map.of());
            Thread.sleep(300);
            post("mutation($id: ID!) { signIn(agentId: $id) { id } }", "id", own);
            assertEquals(own, mine.nextData(Duration.ofSeconds(10)).getJsonObject("presenceChanged").getString("agentId"));
        }
    }
}
