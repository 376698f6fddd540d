package org.ccpresence.routing;

import static org.ccpresence.support.Fixtures.createAgent;
import static org.ccpresence.support.Fixtures.offerWork;
import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.Fixtures.signIn;
import static org.ccpresence.support.Fixtures.signOut;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.ccpresence.support.TestDatabase;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * One lock order for agents and their offers (issue 25, item 7): sign-outs lock the agent and then its pending offers;
 * the expiry sweep, which expires those offers and counts the misses on those agents, must not take them the other
 * way round, or a sign-out racing the sweep of that agent's offer deadlocks (PostgreSQL aborts one side, 40P01).
 */
@QuarkusTest
class LockOrderTest {

    static final int AGENTS = 150;
    /** Agents beyond one per offer: an offer that expires while the others are still being made is offered again to one of them. */
    static final int SPARE_AGENTS = 50;
    static final int WRITERS = 16;

    @Test
    void signOutsRacingTheExpirySweepOfTheirOffersNeverDeadlock() throws Exception {
        String ws = MissPolicyTest.workstream(1, null); // every miss counts: the sweep writes the agents it expires offers of
        record Offered(String item, String id, String agent, OffsetDateTime expiresAt) {
        }
        List<Offered> offers = new ArrayList<>();
        ExecutorService setUp = Executors.newFixedThreadPool(WRITERS);
        try {
            // in parallel, so that the offers are made well within their 5 s; on a slow machine the first to expire
            // are offered again before the last are made, and the spare agents take those
            List<Future<?>> agents = new ArrayList<>();
            for (int i = 0; i < AGENTS + SPARE_AGENTS; i++) {
                agents.add(setUp.submit(() -> signIn(createAgent(null, List.of(ws)))));
            }
            for (Future<?> agent : agents) {
                agent.get();
            }
            List<Future<Offered>> made = new ArrayList<>();
            for (int i = 0; i < AGENTS; i++) {
                made.add(setUp.submit(() -> {
                    String item = unique("item");
                    JsonPath offered = offerWork(ws, item);
                    return new Offered(item, required(offered, "data.offerWork.id"),
                            offered.getString("data.offerWork.agent.id"),
                            OffsetDateTime.parse(offered.getString("data.offerWork.expiresAt")));
                }));
            }
            for (Future<Offered> offer : made) {
                offers.add(offer.get());
            }
        } finally {
            setUp.shutdownNow();
        }
        long deadlocksBefore = deadlocks();

        // each agent signs out while the sweep (every second) may be expiring their offer: from its expiry on, spread
        // over the next 1.2 s
        ScheduledExecutorService writers = Executors.newScheduledThreadPool(WRITERS);
        try {
            List<Future<JsonPath>> answers = new ArrayList<>();
            for (int i = 0; i < offers.size(); i++) {
                Offered offer = offers.get(i);
                long delay = Duration.between(OffsetDateTime.now(), offer.expiresAt()).toMillis() + (i % 13) * 100;
                answers.add(writers.schedule(() -> signOut(offer.agent()), Math.max(0, delay), TimeUnit.MILLISECONDS));
            }
            for (Future<JsonPath> answer : answers) {
                JsonPath signedOut = answer.get();
                assertNull(signedOut.get("errors"), () -> "a sign-out failed: " + signedOut.prettify());
            }
        } finally {
            writers.shutdownNow();
        }

        for (Offered offer : offers) {
            assertEquals("EXPIRED", post("query($i: String) { offers(workItem: $i) { id state } }", "i", offer.item())
                    .getString("data.offers.find { it.id == '" + offer.id() + "' }.state"), "offer " + offer.id());
        }
        // the sweep's side of a deadlock is retried by the next run: only the database's own count shows it (its
        // statistics reach the view within about 10 s of the transaction)
        long deadline = System.nanoTime() + Duration.ofSeconds(12).toNanos();
        while (System.nanoTime() < deadline) {
            assertEquals(deadlocksBefore, deadlocks(), "PostgreSQL aborted a transaction as part of a deadlock");
            Thread.sleep(500);
        }
    }

    private static long deadlocks() throws Exception {
        try (Connection c = TestDatabase.connect();
                ResultSet r = c.createStatement().executeQuery(
                        "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")) {
            r.next();
            return r.getLong(1);
        }
    }
}
