package org.ccpresence.replicas;

import static org.ccpresence.support.GraphQL.postTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.ccpresence.support.Replica;
import org.ccpresence.support.TestDatabase;
import org.ccpresence.support.WebhookReceiver;
import org.ccpresence.support.WebhookReceiver.Answer;
import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonObject;

/**
 * Two packaged replicas share the webhooks: never two senders at once for one webhook, and when the sending replica is
 * killed mid-delivery, the other takes the webhook over from its stored position with nothing skipped; a batch the
 * dead replica may have had on the wire comes again, identical.
 */
class WebhookReplicasIT {

    @Test
    void aKilledSendersWebhookResumesOnTheOtherReplicaWithNothingSkipped() throws Exception {
        new TestDatabase().start();
        Map<String, String> env = Map.of("PRESENCE_WEBHOOKS_ALLOW_PRIVATE", "true", "PRESENCE_WEBHOOKS_TIMEOUT", "2s");
        try (WebhookReceiver receiver = new WebhookReceiver();
                Replica a = Replica.start("webhooks-a", env);
                Replica b = Replica.start("webhooks-b", env)) {
            receiver.answer(n -> new Answer.Delayed(200, 30)); // slow enough for a second sender to show if there were one
            Map<String, Object> in = new HashMap<>(WebhookReceiver.input(receiver.url(), WebhookReceiver.newSecret()));
            String webhook = postTo(a.port, "mutation($in: WebhookInput!) { createWebhook(input: $in) { id } }", "in", in)
                    .getString("data.createWebhook.id");
            List<String> agents = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                agents.add(ReplicasIT.agentOn(i % 2 == 0 ? a : b));
            }

            Replica holder = awaitHolder(webhook, a, b);
            Replica survivor = holder == a ? b : a;
            ExecutorService writers = Executors.newFixedThreadPool(10);
            List<Future<?>> done = new ArrayList<>();
            for (String agent : agents) {
                done.add(writers.submit(() -> {
                    for (int n = 0; n < 20; n++) {
                        ReplicasIT.setPresence(survivor, agent, n % 2 == 0 ? 4 : 2);
                    }
                }));
            }
            Thread.sleep(700);
            ProcessHandle.of(holder.pid()).ifPresent(ProcessHandle::destroyForcibly); // killed while sending
            for (Future<?> f : done) {
                f.get();
            }
            writers.shutdown();

            Set<String> ours = Set.copyOf(agents);
            List<Long> expected = new ArrayList<>();
            for (String agent : agents) {
                postTo(survivor.port, "query($a: ID!) { presenceHistory(agentId: $a, first: 1000) { sequence } }", "a", agent)
                        .getList("data.presenceHistory.sequence", String.class).forEach(s -> expected.add(Long.parseLong(s)));
            }
            expected.sort(Long::compare);
            assertEquals(10 * 21, expected.size());

            long deadline = System.currentTimeMillis() + 90_000;
            while (distinctBatchSequences(receiver, ours).size() < expected.size()) {
                assertTrue(System.currentTimeMillis() < deadline, "every change delivered after the takeover; got "
                        + distinctBatchSequences(receiver, ours).size() + " of " + expected.size());
                Thread.sleep(200);
            }
            assertEquals(expected, distinctBatchSequences(receiver, ours), "in order, nothing skipped, nothing twice but a resent batch");
            Map<String, String> bodies = new HashMap<>();
            receiver.received().forEach(r -> assertEquals(bodies.computeIfAbsent(r.id(), k -> r.body()), r.body(),
                    "a batch sent again is the same batch"));
            assertFalse(receiver.overlapped(), "never two senders at once");
            assertEquals(survivor, awaitHolder(webhook, survivor), "the survivor holds the webhook now");
            postTo(survivor.port, "mutation($id: ID!) { deleteWebhook(id: $id) }", "id", webhook);
        }
    }

    /**
     * Changes made while the receiver fails wait in the log, not in the replica: stopped and started again, the replica
     * sends the very batch that failed (same webhook-id, same body) and then the rest, in order, nothing skipped.
     */
    @Test
    void aRestartedReplicaDeliversWhatWasPendingWithNothingLost() throws Exception {
        new TestDatabase().start();
        Map<String, String> env = Map.of("PRESENCE_WEBHOOKS_ALLOW_PRIVATE", "true");
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            receiver.answer(n -> new Answer.Status(503));
            String webhook;
            List<String> agents = new ArrayList<>();
            List<Long> expected = new ArrayList<>();
            try (Replica before = Replica.start("webhooks-before-restart", env)) {
                Map<String, Object> in = new HashMap<>(WebhookReceiver.input(receiver.url(), WebhookReceiver.newSecret()));
                webhook = postTo(before.port, "mutation($in: WebhookInput!) { createWebhook(input: $in) { id } }", "in", in)
                        .getString("data.createWebhook.id");
                for (int i = 0; i < 5; i++) {
                    String agent = ReplicasIT.agentOn(before);
                    agents.add(agent);
                    for (int n = 0; n < 10; n++) {
                        ReplicasIT.setPresence(before, agent, n % 2 == 0 ? 4 : 2);
                    }
                    postTo(before.port, "query($a: ID!) { presenceHistory(agentId: $a, first: 1000) { sequence } }", "a", agent)
                            .getList("data.presenceHistory.sequence", String.class).forEach(q -> expected.add(Long.parseLong(q)));
                }
                long deadline = System.currentTimeMillis() + 30_000;
                while (receiver.received().isEmpty()) {
                    assertTrue(System.currentTimeMillis() < deadline, "the replica tried to deliver before it stopped");
                    Thread.sleep(100);
                }
            } // stopped with the webhook's changes undelivered
            List<WebhookReceiver.Received> failed = receiver.received();
            expected.sort(Long::compare);
            receiver.answer(n -> new Answer.Status(204));
            try (Replica after = Replica.start("webhooks-after-restart", env)) {
                Set<String> ours = Set.copyOf(agents);
                long deadline = System.currentTimeMillis() + 60_000;
                while (distinctBatchSequences(receiver, ours).size() < expected.size()) {
                    assertTrue(System.currentTimeMillis() < deadline, "every pending change delivered after the restart; got "
                            + distinctBatchSequences(receiver, ours).size() + " of " + expected.size());
                    Thread.sleep(200);
                }
                assertEquals(expected, distinctBatchSequences(receiver, ours), "in order, nothing skipped, nothing twice but a resent batch");
                WebhookReceiver.Received firstAfter = receiver.received().get(failed.size());
                assertEquals(failed.get(0).id(), firstAfter.id(), "the batch that failed before the restart goes first, same webhook-id");
                assertEquals(failed.get(0).body(), firstAfter.body(), "and the same body");
                postTo(after.port, "mutation($id: ID!) { deleteWebhook(id: $id) }", "id", webhook);
            }
        }
    }

    /** The events of each batch once (a batch resent after the kill counts once), for the given agents, in arrival order. */
    private static List<Long> distinctBatchSequences(WebhookReceiver receiver, Set<String> agents) {
        Map<String, JsonObject> batches = new LinkedHashMap<>();
        receiver.received().forEach(r -> batches.putIfAbsent(r.id(), r.json()));
        List<Long> sequences = new ArrayList<>();
        batches.values().forEach(batch -> batch.getJsonArray("events").forEach(e -> {
            JsonObject event = (JsonObject) e;
            if (agents.contains(event.getString("agentId"))) {
                sequences.add(Long.parseLong(event.getString("sequence")));
            }
        }));
        return sequences;
    }

    /** The replica sending the webhook: the one that reports its lag (only the lease holder does). */
    private static Replica awaitHolder(String webhook, Replica... replicas) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            for (Replica replica : replicas) {
                String metrics = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + replica.port + "/q/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                if (metrics.contains("presence_webhook_lag_seconds{webhook=\"" + webhook + "\"}")) {
                    return replica;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no replica took webhook " + webhook);
    }
}
