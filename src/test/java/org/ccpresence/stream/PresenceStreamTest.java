package org.ccpresence.stream;

import static org.ccpresence.support.Fixtures.history;
import static org.ccpresence.support.Fixtures.setPresence;
import static org.ccpresence.support.Fixtures.signOut;
import static org.ccpresence.support.Fixtures.signedInAgent;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.ccpresence.support.GraphQLWs;
import org.ccpresence.support.GraphQLWs.Protocol;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

@QuarkusTest
class PresenceStreamTest {

    static final String SUBSCRIPTION = """
            subscription($agents: [ID!], $after: ID, $ws: ID) {
              presenceChanged(agentIds: $agents, afterSequence: $after, workstreamId: $ws) {
                sequence agentId cause at previous { id } current { id name baseStatus }
              }
            }""";
    static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    Vertx vertx;

    GraphQLWs connect(Protocol protocol) throws Exception {
        return GraphQLWs.connect(vertx, RestAssured.port, protocol);
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void changesStreamLiveToSubscribersOfTheAgent(Protocol protocol) throws Exception {
        String agent = signedInAgent();
        String other = signedInAgent();
        try (GraphQLWs ws = connect(protocol)) {
            var sub = ws.subscribe(SUBSCRIPTION, Map.of("agents", List.of(agent)));
            Thread.sleep(300); // let the subscription register before the change commits
            setPresence(other, 2);
            setPresence(agent, 3);
            JsonObject change = sub.nextData(WAIT).getJsonObject("presenceChanged");
            assertEquals(agent, change.getString("agentId"));
            assertEquals("SUPERVISOR", change.getString("cause"), "an administrator set it");
            assertEquals("1", change.getJsonObject("previous").getString("id"));
            assertEquals("Busy – DND", change.getJsonObject("current").getString("name"));
            assertEquals("BUSY_DND", change.getJsonObject("current").getString("baseStatus"));

            signOut(agent);
            JsonObject out = sub.nextData(WAIT).getJsonObject("presenceChanged");
            assertEquals("SIGN_OUT", out.getString("cause"));
            assertEquals("6", out.getJsonObject("current").getString("id"));
            sub.expectSilence(Duration.ofMillis(300));
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void resumeReplaysStoredChangesThenGoesLive(Protocol protocol) throws Exception {
        String agent = signedInAgent();
        String start = (String) history(agent).get(0).get("sequence");
        setPresence(agent, 2);
        setPresence(agent, 3);
        setPresence(agent, 4);
        try (GraphQLWs ws = connect(protocol)) {
            var sub = ws.subscribe(SUBSCRIPTION, Map.of("agents", List.of(agent), "after", start));
            List<String> replayed = sub.take(3, WAIT).stream()
                    .map(d -> d.getJsonObject("presenceChanged").getJsonObject("current").getString("id")).toList();
            assertEquals(List.of("2", "3", "4"), replayed);
            setPresence(agent, 1);
            assertEquals("1", sub.nextData(WAIT).getJsonObject("presenceChanged").getJsonObject("current").getString("id"));
            sub.expectSilence(Duration.ofMillis(300));
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void badArgumentsAreRefusedWithAContractCode(Protocol protocol) throws Exception {
        try (GraphQLWs ws = connect(protocol)) {
            var sub = ws.subscribe(SUBSCRIPTION, Map.of("after", "not-a-sequence"));
            String text = sub.nextError(WAIT);
            assertThat(text, containsString("BAD_USER_INPUT"));
            assertThat(text, containsString("afterSequence"));
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void unfilteredSubscribersSeeEveryAgent(Protocol protocol) throws Exception {
        String a = signedInAgent();
        String b = signedInAgent();
        try (GraphQLWs ws = connect(protocol)) {
            var sub = ws.subscribe(SUBSCRIPTION, Map.of());
            Thread.sleep(300);
            setPresence(a, 2);
            setPresence(b, 2);
            assertEquals(List.of(a, b), sub.agentsOfNext(2, Set.of(a, b), WAIT));
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void oneConnectionHoldsAtMostTheConfiguredNumberOfSubscriptions(Protocol protocol) throws Exception {
        int max = 100; // presence.graphql.max-subscriptions-per-connection, default
        String agent = signedInAgent();
        try (GraphQLWs ws = connect(protocol); GraphQLWs other = connect(protocol)) {
            List<GraphQLWs.Subscription> open = new ArrayList<>();
            for (int i = 0; i < max; i++) {
                open.add(ws.subscribe(SUBSCRIPTION, Map.of("agents", List.of(agent))));
            }
            Thread.sleep(300);
            setPresence(agent, 2);
            for (GraphQLWs.Subscription sub : open) {
                assertEquals("2", sub.nextData(WAIT).getJsonObject("presenceChanged").getJsonObject("current").getString("id"));
            }

            String refused = ws.subscribe(SUBSCRIPTION, Map.of("agents", List.of(agent))).nextError(WAIT);
            assertThat(refused, containsString("BAD_USER_INPUT"));
            assertThat(refused, containsString("At most 100 subscriptions"));

            var elsewhere = other.subscribe(SUBSCRIPTION, Map.of("agents", List.of(agent)));
            open.get(0).stop();
            var replacement = ws.subscribe(SUBSCRIPTION, Map.of("agents", List.of(agent)));
            Thread.sleep(300);
            setPresence(agent, 3);
            assertEquals(agent, replacement.nextData(WAIT).getJsonObject("presenceChanged").getString("agentId"));
            assertEquals(agent, elsewhere.nextData(WAIT).getJsonObject("presenceChanged").getString("agentId"));
        }
    }
}
