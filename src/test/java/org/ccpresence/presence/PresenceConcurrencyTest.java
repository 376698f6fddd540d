package org.ccpresence.presence;

import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class PresenceConcurrencyTest {

    @Test
    void concurrentCreatesWithOneNameHaveExactlyOneWinner() throws Exception {
        int callers = 8;
        for (int round = 0; round < 5; round++) {
            String name = unique("Race");
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(callers);
            List<Future<JsonPath>> results = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                String spelling = i % 2 == 0 ? name : name.toUpperCase();
                results.add(pool.submit(() -> {
                    start.await();
                    return post(PresenceCatalogTest.CREATE, "in", PresenceCatalogTest.input(spelling, "t", "BUSY", null));
                }));
            }
            start.countDown();
            int created = 0;
            int conflicts = 0;
            for (Future<JsonPath> f : results) {
                JsonPath r = f.get();
                if (r.get("errors") == null) {
                    created++;
                } else if ("CONFLICT".equals(r.getString("errors[0].extensions.code"))) {
                    conflicts++;
                } else {
                    throw new AssertionError("unexpected answer " + r.prettify());
                }
            }
            pool.shutdown();
            assertEquals(1, created, "exactly one create wins");
            assertEquals(callers - 1, conflicts);
            long stored = post("{ presences { name } }").getList("data.presences.name", String.class).stream()
                    .filter(n -> n.equalsIgnoreCase(name)).count();
            assertEquals(1, stored);
        }
    }
}
