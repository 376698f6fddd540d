package org.ccpresence.desktop;

import static org.ccpresence.support.Fixtures.history;
import static org.ccpresence.support.Fixtures.offerWork;
import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.Fixtures.signIn;
import static org.ccpresence.support.Fixtures.createWorkstream;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.ccpresence.support.Desktops;
import org.ccpresence.support.Desktops.Desk;
import org.ccpresence.support.GraphQLWs;
import org.ccpresence.support.GraphQLWs.Protocol;
import org.ccpresence.support.ShortDesktopGrace;
import org.ccpresence.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;

/** Disconnect grace (contract, "Disconnect grace"), with a grace of 2 s instead of 90 s. */
@QuarkusTest
@TestProfile(ShortDesktopGrace.class)
class DisconnectGraceTest {

    /** Grace, plus a second for the connection write and a second for the sweep, plus slack for a busy machine. */
    static final Duration PAST_GRACE = Duration.ofSeconds(6);

    @Inject
    Vertx vertx;

    static Desk agent(List<String> workstreams) {
        return Desktops.agent(workstreams);
    }

    GraphQLWs desktop(Desk agent, Protocol protocol) throws Exception {
        return Desktops.open(vertx, agent, protocol);
    }

    static JsonPath state(String agent) {
        return post("query($a: ID!) { agent(id: $a) { signedIn desktopConnected presence { id } } }", "a", agent);
    }

    static void awaitConnected(String agent, boolean connected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (state(agent).getBoolean("data.agent.desktopConnected") != connected && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(connected, state(agent).getBoolean("data.agent.desktopConnected"));
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void anAgentWhoseDesktopIsGoneLongerThanTheGraceIsSignedOutAndTheirOfferPassedOn(Protocol protocol) throws Exception {
        String ws = createWorkstream(List.of("AVAILABLE"), false, 300);
        Desk agent = agent(List.of(ws));
        signIn(agent.id());
        GraphQLWs desktop = desktop(agent, protocol);
        awaitConnected(agent.id(), true);
        String item = unique("item");
        String offer = required(offerWork(ws, item), "data.offerWork.id");
        desktop.close();
        awaitConnected(agent.id(), false);
        assertTrue(state(agent.id()).getBoolean("data.agent.signedIn"), "the grace has only begun");

        Thread.sleep(PAST_GRACE.toMillis());
        JsonPath after = state(agent.id());
        assertEquals(false, after.getBoolean("data.agent.signedIn"));
        assertEquals("6", after.getString("data.agent.presence.id"));
        assertEquals("DISCONNECTED", history(agent.id()).get(0).get("cause"));
        assertEquals(1, history(agent.id()).stream().filter(c -> "DISCONNECTED".equals(c.get("cause"))).count(), "once");
        assertEquals("EXPIRED", post("query($i: String) { offers(workItem: $i) { id state } }", "i", item)
                .getString("data.offers.find { it.id == '" + offer + "' }.state"));
    }

    @Test
    void aDesktopThatComesBackWithinTheGraceChangesNothing() throws Exception {
        Desk agent = agent(List.of());
        signIn(agent.id());
        GraphQLWs first = desktop(agent, Protocol.TRANSPORT_WS);
        awaitConnected(agent.id(), true);
        int changes = history(agent.id()).size();
        first.close();
        awaitConnected(agent.id(), false); // the service saw the desktop go: the grace runs from here
        try (GraphQLWs again = GraphQLWs.connect(vertx, RestAssured.port, Protocol.LEGACY_WS,
                Map.of("Authorization", "Bearer " + Tokens.agent(agent.userId())), Map.of())) {
            GraphQLWs.Subscription own = again.subscribe("subscription { presenceChanged { cause } }", Map.of());
            awaitConnected(agent.id(), true);
            Thread.sleep(PAST_GRACE.toMillis());
            JsonPath after = state(agent.id());
            String seen = "socket closed: " + again.closeStatus() + " " + again.closeReason()
                    + "; the subscription's first message: " + own.nextMessage(Duration.ZERO);
            assertTrue(after.getBoolean("data.agent.desktopConnected"), () -> "the desktop that came back is counted (" + seen + ")");
            assertTrue(after.getBoolean("data.agent.signedIn"), seen);
            assertEquals(changes, history(agent.id()).size(), seen);
        }
    }

    @Test
    void anIntegrationThatNeverOpenedADesktopAndSupervisorsSocketsAreLeftAlone() throws Exception {
        Desk integration = agent(List.of());
        Desk watched = agent(List.of());
        signIn(integration.id());
        signIn(watched.id());
        try (GraphQLWs supervisor = GraphQLWs.connect(vertx, RestAssured.port, Protocol.TRANSPORT_WS,
                Map.of("Authorization", "Bearer " + Tokens.supervisor()), Map.of())) {
            supervisor.subscribe("subscription($a: [ID!]) { presenceChanged(agentIds: $a) { cause } }", Map.of("a", List.of(watched.id())));
            Thread.sleep(1500);
            assertEquals(false, state(watched.id()).getBoolean("data.agent.desktopConnected"), "a supervisor's socket is no desktop");
        }
        Thread.sleep(PAST_GRACE.toMillis());
        assertTrue(state(integration.id()).getBoolean("data.agent.signedIn"));
        assertTrue(state(watched.id()).getBoolean("data.agent.signedIn"));
    }

    @Test
    void aDesktopClosedBeforeSignInDoesNotCount() throws Exception {
        Desk agent = agent(List.of());
        GraphQLWs early = desktop(agent, Protocol.TRANSPORT_WS);
        awaitConnected(agent.id(), true);
        early.close();
        awaitConnected(agent.id(), false);
        Thread.sleep(500);
        signIn(agent.id());
        Thread.sleep(PAST_GRACE.toMillis());
        assertTrue(state(agent.id()).getBoolean("data.agent.signedIn"), "no desktop since signing in: an integration");
    }
}
