package org.ccpresence.devfloor;

import static org.ccpresence.support.GraphQL.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.ccpresence.support.TestDatabase;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * The dev floor, switched on as dev mode switches it on (a build-time property; other builds leave its beans out), on
 * an empty database of its own, ticking every second instead of every 2 s: the seeded floor comes alive through the API.
 */
@QuarkusTest
@TestProfile(DevFloorTest.DevFloorOn.class)
class DevFloorTest {

    public static class DevFloorOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("presence.dev-floor.enabled", "true", "presence.dev-floor.every", "1s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(EmptyDatabase.class));
        }
    }

    public static class EmptyDatabase implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            return TestDatabase.freshDatasource("presence_devfloor_test");
        }

        @Override
        public void stop() {
        }
    }

    @Test
    void anEmptyDatabaseOpensOntoALivingFloor() throws Exception {
        await("the floor is seeded", () -> post("{ agents(first: 1000) { id } }").getList("data.agents").size() == 41);
        assertTrue(post("{ presences { name } }").getList("data.presences.name")
                .containsAll(List.of("Lunch", "Coffee break", "Training", "Team meeting")));
        assertEquals(Set.of("Chat", "Voice", "Email"), Set.copyOf(post("{ workstreams { name } }").getList("data.workstreams.name")));

        // agents sign in and take breaks; work is offered, accepted, completed, rejected and missed
        await("agents signed in", () -> signedIn() >= 10);
        await("breaks and misses", () -> Set.copyOf(ofEveryAgent("query($a: ID!) { presenceHistory(agentId: $a, first: 100) { cause } }",
                "data.presenceHistory.cause")).containsAll(List.of("SIGN_IN", "AGENT", "MISSED_NOTIFICATION")));
        await("offers answered every way", () -> {
            Set<String> states = Set.copyOf(ofEveryAgent("query($a: ID) { offers(agentId: $a) { state } }", "data.offers.state"));
            return states.containsAll(List.of("ACCEPTED", "REJECTED", "EXPIRED")) && (states.contains("COMPLETED") || states.contains("WRAP_UP"));
        });
        // the person at the desktop has the dev agent to themselves
        JsonPath dev = post("{ agents(first: 1000) { userId signedIn } }");
        assertEquals(List.of(false), dev.getList("data.agents.findAll { it.userId == 'dev-agent' }.signedIn"));
    }

    private static List<String> ofEveryAgent(String query, String path) {
        return post("{ agents(first: 1000) { id } }").<String>getList("data.agents.id").stream()
                .flatMap(a -> post(query, "a", a).<String>getList(path).stream()).toList();
    }

    private static long signedIn() {
        return post("{ agents(first: 1000) { signedIn } }").<Boolean>getList("data.agents.signedIn").stream().filter(b -> b).count();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " within 90 s");
            Thread.sleep(250);
        }
    }
}
