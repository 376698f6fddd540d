package org.ccpresence.webhooks;

import static org.ccpresence.support.Fixtures.createAgent;
import static org.ccpresence.support.Fixtures.createWorkstream;
import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.Fixtures.setPresence;
import static org.ccpresence.support.Fixtures.signIn;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.WebhookReceiver.input;
import static org.ccpresence.support.WebhookReceiver.newSecret;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

import org.ccpresence.support.PrivateWebhookTargets;
import org.ccpresence.support.WebhookReceiver;
import org.ccpresence.support.WebhookReceiver.Answer;
import org.ccpresence.support.WebhookReceiver.Received;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;

@QuarkusTest
@TestProfile(PrivateWebhookTargets.class)
class WebhookDeliveryTest {

    static final String CREATE = WebhookRegistrationTest.CREATE;
    static final String WEBHOOK = "query { webhooks { id enabled deliveredThrough failures lastError lastAttemptAt } }";

    @Test
    void ourSignatureCheckAgreesWithTheSpecificationsPublishedExample() throws Exception {
        // Standard Webhooks' published test vector: secret, id, timestamp and body give this signature.
        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", WebhookReceiver.sign(
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "{\"test\": 2432232314}"));
    }

    @Test
    void everyChangeArrivesSignedWithTheValuesPresenceHistoryGives() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String secret = newSecret();
            String webhook = create(receiver.url(), secret, null);
            String agent = createAgent();
            signIn(agent);
            setPresence(agent, 4);
            setPresence(agent, 3);
            List<Map<String, Object>> history = history(agent);
            List<JsonObject> events = awaitEvents(receiver, agent, 3);
            for (Received request : receiver.received()) {
                assertEquals("application/json", request.contentType());
                assertEquals(WebhookReceiver.sign(secret, request.id(), request.timestamp(), request.body()), request.signature());
                assertTrue(Math.abs(Long.parseLong(request.timestamp()) - Instant.now().getEpochSecond()) < 30, "a current timestamp");
                assertEquals(webhook, request.json().getString("webhookId"));
            }
            String userId = post("query($a: ID!) { agent(id: $a) { userId } }", "a", agent).getString("data.agent.userId");
            for (int i = 0; i < 3; i++) {
                JsonObject event = events.get(i);
                Map<String, Object> change = history.get(i);
                assertEquals(change.get("sequence"), event.getString("sequence"));
                assertEquals(agent, event.getString("agentId"));
                assertEquals(userId, event.getString("userId"));
                assertEquals(change.get("cause"), event.getString("cause"));
                assertEquals(change.get("at"), event.getString("at"), "at as GraphQL serializes it");
                assertEquals(change.get("version"), event.getInteger("version"));
                assertEquals(change.get("current"), event.getJsonObject("current").getMap());
                Object previous = change.get("previous");
                assertEquals(previous, event.getJsonObject("previous") == null ? null : event.getJsonObject("previous").getMap());
            }
            awaitTrue(() -> history.get(2).get("sequence").equals(webhookRow(webhook).get("deliveredThrough")),
                    "deliveredThrough reaches the last acknowledged change");
            delete(webhook);
        }
    }

    @Test
    void changesFromTwentyConcurrentWritersArriveInOrderExactlyOnce() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String webhook = create(receiver.url(), newSecret(), null);
            List<String> agents = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                agents.add(createAgent());
                signIn(agents.get(i));
            }
            ExecutorService writers = Executors.newFixedThreadPool(20);
            List<Future<?>> done = new ArrayList<>();
            for (String agent : agents) {
                done.add(writers.submit(() -> {
                    for (int n = 0; n < 10; n++) {
                        setPresence(agent, n % 2 == 0 ? 4 : 2);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            writers.shutdown();
            Set<String> ours = new HashSet<>(agents);
            List<String> expected = new ArrayList<>();
            agents.forEach(a -> history(a).forEach(c -> expected.add((String) c.get("sequence"))));
            expected.sort((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
            awaitTrue(() -> sequences(receiver, ours).size() >= expected.size(), "all 220 changes delivered");
            assertEquals(expected, sequences(receiver, ours), "in sequence order, each once");
            List<Long> all = new ArrayList<>();
            receiver.received().forEach(r -> r.json().getJsonArray("events").forEach(e -> all.add(Long.parseLong(((JsonObject) e).getString("sequence")))));
            List<Long> sorted = new ArrayList<>(all);
            Collections.sort(sorted);
            assertEquals(sorted, all, "every batch after the one before, every event after the one before");
            assertEquals(new HashSet<>(all).size(), all.size(), "no change sent twice without a failure");
            assertTrue(receiver.received().stream().allMatch(r -> r.json().getJsonArray("events").size() <= 100), "at most 100 per batch");
            assertFalse(receiver.overlapped(), "one batch at a time");
            delete(webhook);
        }
    }

    @Test
    void aFailingReceiverHoldsBackLaterChangesAndGetsTheSameBatchAgain() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            receiver.answer(n -> n <= 2 ? new Answer.Status(503) : new Answer.Status(204));
            String webhook = create(receiver.url(), newSecret(), null);
            String agent = createAgent();
            signIn(agent);
            awaitTrue(() -> receiver.received().size() >= 1, "the first attempt");
            Map<String, Object> failing = webhookRow(webhook);
            assertEquals(1, failing.get("failures"));
            assertEquals("HTTP 503", failing.get("lastError"));
            setPresence(agent, 4); // waits behind the failing batch
            awaitTrue(() -> events(receiver, Set.of(agent)).size() >= 2 + 2, "retries, then the later change");
            List<Received> requests = receiver.received();
            assertEquals(requests.get(0).id(), requests.get(1).id(), "a retry keeps its webhook-id");
            assertEquals(requests.get(0).id(), requests.get(2).id());
            assertEquals(requests.get(0).body(), requests.get(2).body(), "and its events");
            assertTrue(requests.get(1).receivedAt() - requests.get(0).receivedAt() >= 900, "retried after a second");
            assertTrue(requests.get(2).receivedAt() - requests.get(1).receivedAt() >= 1900, "then after two");
            List<JsonObject> later = events(receiver, Set.of(agent));
            assertEquals("AWAY", later.get(later.size() - 1).getJsonObject("current").getString("baseStatus"),
                    "the later change only after the earlier one was acknowledged");
            assertNotEquals(requests.get(0).id(), requests.get(3).id(), "a new batch, a new webhook-id");
            awaitTrue(() -> ((Number) webhookRow(webhook).get("failures")).intValue() == 0, "healthy again");
            assertEquals((Object) null, webhookRow(webhook).get("lastError"));
            delete(webhook);
        }
    }

    @Test
    void slowRedirectingAndOversizedAnswersAreFailuresBoundedInTime() throws Exception {
        Map<String, Answer> cases = Map.of("no answer within", new Answer.Hang(), "HTTP 302", new Answer.Status(302),
                "KiB", new Answer.HugeBody(1024 * 1024), "HTTP 404", new Answer.Status(404));
        for (var c : cases.entrySet()) {
            try (WebhookReceiver receiver = new WebhookReceiver()) {
                receiver.answer(n -> c.getValue());
                String webhook = create(receiver.url(), newSecret(), null);
                signIn(createAgent());
                long started = System.currentTimeMillis();
                awaitTrue(() -> webhookRow(webhook).get("lastError") != null, c.getKey());
                assertTrue(System.currentTimeMillis() - started < (PrivateWebhookTargets.TIMEOUT_SECONDS + 3) * 1000L, "bounded in time");
                assertThat((String) webhookRow(webhook).get("lastError"), containsString(c.getKey()));
                assertEquals((Object) null, webhookRow(webhook).get("deliveredThrough"), "nothing counts as delivered");
                delete(webhook);
            }
        }
    }

    @Test
    void aWorkstreamFilterSendsOnlyItsMembersChanges() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String workstream = createWorkstream(List.of("AVAILABLE"), false, 60);
            String member = createAgent(null, List.of(workstream));
            String other = createAgent();
            String webhook = create(receiver.url(), newSecret(), workstream);
            signIn(other);
            signIn(member);
            setPresence(other, 4);
            setPresence(member, 4);
            awaitEvents(receiver, member, 2);
            Thread.sleep(500);
            assertEquals(List.of(), events(receiver, Set.of(other)), "not a member: nothing sent");
            delete(webhook);
        }
    }

    @Test
    void aReplaySendsTheChangesAgainThenCarriesOn() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String webhook = create(receiver.url(), newSecret(), null);
            String agent = createAgent();
            signIn(agent);
            setPresence(agent, 4);
            List<JsonObject> first = awaitEvents(receiver, agent, 2);
            long before = Long.parseLong(first.get(0).getString("sequence")) - 1;
            JsonPath replayed = post("mutation($id: ID!, $s: ID!) { replayWebhook(id: $id, afterSequence: $s) { enabled deliveredThrough } }",
                    "id", webhook, "s", Long.toString(before));
            assertEquals(Long.toString(before), replayed.getString("data.replayWebhook.deliveredThrough"), replayed::prettify);
            setPresence(agent, 2);
            List<JsonObject> all = awaitEvents(receiver, agent, 5);
            assertEquals(List.of(seq(first.get(0)), seq(first.get(1)), seq(first.get(0)), seq(first.get(1)), seq(all.get(4))),
                    all.stream().map(WebhookDeliveryTest::seq).toList(), "the two again, then the new one");
            delete(webhook);
        }
    }

    @Test
    void aReceiverFailingForLongerThanDisableAfterIsDisabledWithItsPositionKept() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            receiver.answer(n -> new Answer.Status(500));
            String webhook = create(receiver.url(), newSecret(), null);
            String agent = createAgent();
            signIn(agent);
            awaitTrue(() -> Boolean.FALSE.equals(webhookRow(webhook).get("enabled")), "disabled after failing for "
                    + PrivateWebhookTargets.DISABLE_AFTER_SECONDS + " s");
            assertEquals((Object) null, webhookRow(webhook).get("deliveredThrough"));
            int attempts = receiver.received().size();
            Thread.sleep(2500);
            assertEquals(attempts, receiver.received().size(), "a disabled webhook is not called");

            receiver.answer(n -> new Answer.Status(200));
            required(post(WebhookRegistrationTest.UPDATE, "id", webhook, "in", Map.of("url", receiver.url(), "enabled", true)),
                    "data.updateWebhook.id");
            awaitTrue(() -> webhookRow(webhook).get("deliveredThrough") != null, "enabled again: resumes where it stopped");
            assertEquals(history(agent).get(0).get("sequence"), webhookRow(webhook).get("deliveredThrough"));
            delete(webhook);
        }
    }

    static String create(String url, String secret, String workstreamId) {
        Map<String, Object> in = new HashMap<>(input(url, secret));
        if (workstreamId != null) {
            in.put("workstreamId", workstreamId);
        }
        return required(post(CREATE, "in", in), "data.createWebhook.id");
    }

    static void delete(String webhook) {
        post("mutation($id: ID!) { deleteWebhook(id: $id) }", "id", webhook);
    }

    static Map<String, Object> webhookRow(String id) {
        List<Map<String, Object>> rows = post(WEBHOOK).getList("data.webhooks");
        return rows.stream().filter(r -> id.equals(r.get("id"))).findFirst().orElseThrow();
    }

    /** Oldest first, with previous and current as presenceHistory gives them. */
    static List<Map<String, Object>> history(String agent) {
        List<Map<String, Object>> changes = new ArrayList<>(post("""
                query($a: ID!) { presenceHistory(agentId: $a, first: 1000) { sequence cause at version
                  previous { id name presenceText baseStatus } current { id name presenceText baseStatus } } }""", "a", agent)
                .getList("data.presenceHistory"));
        Collections.reverse(changes);
        return changes;
    }

    static List<JsonObject> events(WebhookReceiver receiver, Set<String> agents) {
        List<JsonObject> events = new ArrayList<>();
        receiver.received().forEach(r -> r.json().getJsonArray("events").forEach(e -> {
            if (agents.contains(((JsonObject) e).getString("agentId"))) {
                events.add((JsonObject) e);
            }
        }));
        return events;
    }

    static List<String> sequences(WebhookReceiver receiver, Set<String> agents) {
        return events(receiver, agents).stream().map(WebhookDeliveryTest::seq).toList();
    }

    static String seq(JsonObject event) {
        return event.getString("sequence");
    }

    static List<JsonObject> awaitEvents(WebhookReceiver receiver, String agent, int count) throws InterruptedException {
        awaitTrue(() -> events(receiver, Set.of(agent)).size() >= count, count + " events of agent " + agent);
        return events(receiver, Set.of(agent));
    }

    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }
}
