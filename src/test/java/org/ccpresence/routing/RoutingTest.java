package org.ccpresence.routing;

import static org.ccpresence.support.Fixtures.createWorkstream;
import static org.ccpresence.support.Fixtures.history;
import static org.ccpresence.support.Fixtures.offerWork;
import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.Fixtures.setPresence;
import static org.ccpresence.support.Fixtures.signOut;
import static org.ccpresence.support.Fixtures.signedInMember;
import static org.ccpresence.support.GraphQL.errorCode;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.ccpresence.support.Clock;
import org.ccpresence.support.GraphQLWs;
import org.ccpresence.support.GraphQLWs.Protocol;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

@QuarkusTest
class RoutingTest {

    @Inject
    Vertx vertx;

    static String offeredTo(JsonPath r) {
        return required(r, "data.offerWork.agent.id");
    }

    static JsonPath answer(String verb, String offerId) {
        return post("mutation($o: ID!) { " + verb + "(offerId: $o) { id state respondedAt } }", "o", offerId);
    }

    static Map<String, Object> offer(String id) {
        List<Map<String, Object>> all = post("{ offers { id state agent { id } workItem } }").getList("data.offers");
        return all.stream().filter(o -> id.equals(o.get("id"))).findFirst().orElseThrow();
    }

    static List<Map<String, Object>> offersOf(String workItem) {
        return post("query($i: String) { offers(workItem: $i) { id state agent { id } } }", "i", workItem).getList("data.offers");
    }

    @Test
    void theLongestWaitingAgentGetsTheOffer() {
        String ws = createWorkstream(List.of("AVAILABLE"), false, 60);
        String a = signedInMember(ws);
        String b = signedInMember(ws);
        String c = signedInMember(ws);
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            JsonPath r = offerWork(ws, unique("item"));
            order.add(offeredTo(r));
            assertEquals("PENDING", r.getString("data.offerWork.state"));
            assertNull(answer("acceptOffer", r.getString("data.offerWork.id")).get("errors"));
        }
        assertEquals(List.of(a, b, c, a), order, "never-offered agents first, then the one who waited longest");
    }

    @Test
    void concurrentOffersNeverShareAnAgent() throws Exception {
        String ws = createWorkstream(List.of("AVAILABLE", "BUSY"), false, 60);
        Set<String> members = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            members.add(signedInMember(ws));
        }
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Future<JsonPath>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String item = unique("conversation");
            calls.add(pool.submit(() -> {
                go.await();
                return offerWork(ws, item);
            }));
        }
        go.countDown();
        Set<String> offered = new HashSet<>();
        int none = 0;
        for (Future<JsonPath> f : calls) {
            JsonPath r = f.get();
            if (r.get("errors") == null) {
                assertTrue(offered.add(r.getString("data.offerWork.agent.id")), "an agent got two offers");
            } else {
                assertEquals("NO_ELIGIBLE_AGENT", errorCode(r), r::prettify);
                none++;
            }
        }
        pool.shutdown();
        assertEquals(members, offered);
        assertEquals(15, none);
    }

    @Test
    void anOfferIsAnsweredOnce() {
        String ws = createWorkstream(List.of("AVAILABLE"), false, 60);
        signedInMember(ws);
        String item = unique("item");
        String offer = required(offerWork(ws, item), "data.offerWork.id");
        assertEquals("CONFLICT", errorCode(offerWork(ws, item)), "the item is already pending");
        JsonPath accepted = answer("acceptOffer", offer);
        assertEquals("ACCEPTED", accepted.getString("data.acceptOffer.state"));
        assertNotNull(accepted.getString("data.acceptOffer.respondedAt"));
        assertEquals("CONFLICT", errorCode(answer("acceptOffer", offer)));
        assertEquals("CONFLICT", errorCode(answer("rejectOffer", offer)));
        assertEquals("NOT_FOUND", errorCode(answer("acceptOffer", "99999999")));
        assertEquals("NO_ELIGIBLE_AGENT", errorCode(offerWork(createWorkstream(List.of("AVAILABLE"), false, 60), unique("x"))));
        assertEquals("NOT_FOUND", errorCode(offerWork("99999999", unique("x"))));
        assertEquals("BAD_USER_INPUT", errorCode(offerWork(ws, "  ")));
    }

    @Test
    void aRejectedItemGoesToTheNextAgentWhoHasNotHadIt() {
        String ws = createWorkstream(List.of("AVAILABLE"), false, 60);
        String a = signedInMember(ws);
        String b = signedInMember(ws);
        String item = unique("item");
        JsonPath first = offerWork(ws, item);
        assertEquals(a, offeredTo(first));
        assertEquals("REJECTED", answer("rejectOffer", first.getString("data.offerWork.id")).getString("data.rejectOffer.state"));
        List<Map<String, Object>> offers = offersOf(item);
        assertEquals(2, offers.size());
        assertEquals(Map.of("id", b), offers.get(0).get("agent"));
        assertEquals("PENDING", offers.get(0).get("state"));
        answer("rejectOffer", (String) offers.get(0).get("id"));
        assertEquals(2, offersOf(item).size(), "nobody is left who has not had the item: it stays unassigned");
    }

    @Test
    void signingOutExpiresPendingOffersAndPassesTheItemOn() {
        String ws = createWorkstream(List.of("AVAILABLE"), true, 60);
        String a = signedInMember(ws);
        String b = signedInMember(ws);
        String item = unique("item");
        assertEquals(a, offeredTo(offerWork(ws, item)));
        signOut(a);
        List<Map<String, Object>> offers = offersOf(item);
        assertEquals(List.of("PENDING", "EXPIRED"), offers.stream().map(o -> o.get("state")).toList());
        assertEquals(Map.of("id", b), offers.get(0).get("agent"));
        assertEquals("SIGN_OUT", history(a).get(0).get("cause"), "a signed-out agent is not moved to Inactive");
    }

    @Test
    void theSchedulerExpiresMissedOffersMovesTheAgentToInactiveAndReoffers() throws Exception {
        String ws = createWorkstream(List.of("AVAILABLE"), true, 60);
        String a = signedInMember(ws);
        String b = signedInMember(ws);
        String item = unique("item");
        String offer = required(offerWork(ws, item), "data.offerWork.id");
        try (GraphQLWs socket = GraphQLWs.connect(vertx, RestAssured.port, Protocol.TRANSPORT_WS)) {
            var changes = socket.subscribe("subscription($a: [ID!]) { presenceChanged(agentIds: $a) { cause current { name } } }",
                    Map.of("a", List.of(a)));
            Thread.sleep(300);
            Clock.expireNow(offer);
            JsonObject moved = changes.nextData(Duration.ofSeconds(10)).getJsonObject("presenceChanged");
            assertEquals("MISSED_NOTIFICATION", moved.getString("cause"));
            assertEquals("Inactive", moved.getJsonObject("current").getString("name"));
        }
        assertEquals("EXPIRED", offer(offer).get("state"));
        List<Map<String, Object>> offers = offersOf(item);
        assertEquals(Map.of("id", b), offers.get(0).get("agent"), "the item went on to the next agent");
        assertEquals("CONFLICT", errorCode(answer("acceptOffer", offer)));
        // Leaving Inactive is by choosing a presence.
        assertEquals("1", setPresence(a, 1).getString("data.setPresence.presence.id"));
    }

    @Test
    void withoutMissedNotificationsAnExpiredOfferLeavesThePresenceAlone() throws Exception {
        String ws = createWorkstream(List.of("AVAILABLE"), false, 60);
        String a = signedInMember(ws);
        String offer = required(offerWork(ws, unique("item")), "data.offerWork.id");
        Clock.expireNow(offer);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!"EXPIRED".equals(offer(offer).get("state")) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals("EXPIRED", offer(offer).get("state"));
        assertEquals("SIGN_IN", history(a).get(0).get("cause"));
    }

    @Test
    void anAnswerRacingTheExpiryEitherWinsOrLosesNeverBoth() throws Exception {
        String ws = createWorkstream(List.of("AVAILABLE"), true, 60);
        int n = 12;
        List<String> agents = new ArrayList<>();
        List<String> offers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            agents.add(signedInMember(ws));
        }
        for (int i = 0; i < n; i++) {
            offers.add(required(offerWork(ws, unique("race")), "data.offerWork.id"));
        }
        for (int i = 0; i < n; i++) {
            Clock.expireIn(offers.get(i), 400 + 40L * i);
        }
        Thread.sleep(400 + 20L * n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Future<JsonPath>> answers = new ArrayList<>();
        for (String offer : offers) {
            answers.add(pool.submit(() -> answer("acceptOffer", offer)));
        }
        Thread.sleep(3000);
        int won = 0;
        for (int i = 0; i < n; i++) {
            JsonPath r = answers.get(i).get();
            String finalState = (String) offer(offers.get(i)).get("state");
            String agentOfOffer = (String) ((Map<?, ?>) offer(offers.get(i)).get("agent")).get("id");
            boolean moved = history(agentOfOffer).stream().anyMatch(c -> "MISSED_NOTIFICATION".equals(c.get("cause")));
            if (r.get("errors") == null) {
                won++;
                assertEquals("ACCEPTED", finalState);
                assertTrue(!moved, "an accepted offer must not also count as missed");
            } else {
                assertEquals("CONFLICT", errorCode(r), r::prettify);
                assertEquals("EXPIRED", finalState);
                assertTrue(moved, "an expired offer moves its agent to Inactive");
            }
        }
        pool.shutdown();
        System.out.printf("answer/expiry race: %d of %d answers won%n", won, n);
    }

    @Test
    void offerUpdatesStreamToTheOfferedAgent() throws Exception {
        String ws = createWorkstream(List.of("AVAILABLE"), false, 60);
        String a = signedInMember(ws);
        try (GraphQLWs socket = GraphQLWs.connect(vertx, RestAssured.port, Protocol.TRANSPORT_WS)) {
            var updates = socket.subscribe("subscription($a: ID) { offerUpdates(agentId: $a) { id state workItem workstream { id } expiresAt } }",
                    Map.of("a", a));
            Thread.sleep(300);
            String item = unique("chat");
            String offer = required(offerWork(ws, item), "data.offerWork.id");
            JsonObject made = updates.nextData(Duration.ofSeconds(10)).getJsonObject("offerUpdates");
            assertEquals(offer, made.getString("id"));
            assertEquals("PENDING", made.getString("state"));
            assertEquals(item, made.getString("workItem"));
            assertEquals(ws, made.getJsonObject("workstream").getString("id"));
            answer("rejectOffer", offer);
            assertEquals("REJECTED", updates.nextData(Duration.ofSeconds(10)).getJsonObject("offerUpdates").getString("state"));
        }
    }
}
