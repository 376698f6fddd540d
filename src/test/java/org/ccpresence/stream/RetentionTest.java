package org.ccpresence.stream;

import static org.ccpresence.support.Fixtures.createAgent;
import static org.ccpresence.support.Fixtures.history;
import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.Fixtures.setPresence;
import static org.ccpresence.support.Fixtures.signIn;
import static org.ccpresence.support.GraphQL.errorCode;
import static org.ccpresence.support.GraphQL.errorMessage;
import static org.ccpresence.support.GraphQL.post;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.ccpresence.support.GraphQLWs;
import org.ccpresence.support.GraphQLWs.Protocol;
import org.ccpresence.support.ShortRetention;
import org.ccpresence.support.TestDatabase;
import org.ccpresence.support.WebhookReceiver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;

/** History kept 4 s in spans of 2 s (ShortRetention): old partitions go whole, and a resume from before them is refused. */
@QuarkusTest
@TestProfile(ShortRetention.class)
class RetentionTest {

    static final Vertx VERTX = Vertx.vertx();
    static final Duration WAIT = Duration.ofSeconds(10);

    @AfterAll
    static void closeVertx() {
        VERTX.close();
    }

    @Test
    void oldHistoryGoesWholePartitionsAtATimeAndAResumeFromBeforeItIsRefused() throws Exception {
        String agent = createAgent();
        signIn(agent);
        setPresence(agent, 4);
        List<Map<String, Object>> kept = history(agent);
        assertEquals(2, kept.size());
        long first = Long.parseLong((String) kept.get(kept.size() - 1).get("sequence"));
        Instant madeAt = Instant.now();

        // at the latest one span and a maintenance run after becoming older than the retention, the changes are gone
        long deadline = System.currentTimeMillis() + (ShortRetention.RETENTION_SECONDS + 2L * ShortRetention.SPAN_SECONDS + 5) * 1000;
        while (!history(agent).isEmpty()) {
            assertTrue(System.currentTimeMillis() < deadline, "the changes are removed in time");
            Thread.sleep(200);
        }
        assertTrue(Duration.between(madeAt, Instant.now()).toSeconds() >= ShortRetention.RETENTION_SECONDS - 1,
                "not before they were older than the retention");
        assertEquals(true, post("query($a: ID!) { agent(id: $a) { signedIn } }", "a", agent).getBoolean("data.agent.signedIn"),
                "the agent stays as they are");
        try (Connection c = TestDatabase.connect(ShortRetention.DATABASE);
                ResultSet oldest = c.createStatement().executeQuery("SELECT count(*) FROM presence_change WHERE at < now() - interval '"
                        + (ShortRetention.RETENTION_SECONDS + ShortRetention.SPAN_SECONDS + 2) + " seconds'")) {
            oldest.next();
            assertEquals(0, oldest.getLong(1), "nothing older than the retention and a span is kept");
        }

        // a resume from before what was removed is refused, over both sub-protocols; from now on it is served
        setPresence(agent, 2);
        String latest = post("{ latestPresenceChange { sequence } }").getString("data.latestPresenceChange.sequence");
        for (Protocol protocol : Protocol.values()) {
            try (GraphQLWs ws = GraphQLWs.connect(VERTX, RestAssured.port, protocol)) {
                String refused = ws.subscribe(PresenceStreamTest.SUBSCRIPTION, Map.of("after", Long.toString(first - 1))).nextError(WAIT);
                assertThat(refused, containsString("BAD_USER_INPUT"));
                assertThat(refused, containsString("no longer kept"));
                var served = ws.subscribe(PresenceStreamTest.SUBSCRIPTION, Map.of("after", latest, "agents", List.of(agent)));
                Thread.sleep(200);
                setPresence(agent, 4);
                assertEquals("4", served.nextData(WAIT).getJsonObject("presenceChanged").getJsonObject("current").getString("id"));
            }
        }

        JsonPath created = post("mutation($in: WebhookInput!) { createWebhook(input: $in) { id } }", "in",
                WebhookReceiver.input("https://93.184.215.14/hook", WebhookReceiver.newSecret()));
        String webhook = required(created, "data.createWebhook.id");
        JsonPath replay = post("mutation($id: ID!, $s: ID!) { replayWebhook(id: $id, afterSequence: $s) { id } }",
                "id", webhook, "s", Long.toString(first - 1));
        assertEquals("BAD_USER_INPUT", errorCode(replay), replay::prettify);
        assertThat(errorMessage(replay), containsString("no longer kept"));
        post("mutation($id: ID!) { deleteWebhook(id: $id) }", "id", webhook);
    }
}
