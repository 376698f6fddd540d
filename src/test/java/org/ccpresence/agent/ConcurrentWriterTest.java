package org.ccpresence.agent;

import static org.ccpresence.support.Fixtures.signedInAgent;
import static org.ccpresence.support.GraphQL.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.ccpresence.support.TestDatabase;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * setPresence while another writer (another replica, a sweep) holds the agent's row and changes its presence: the call
 * waits, then applies over the other change — never "No agent with id".
 */
@QuarkusTest
class ConcurrentWriterTest {

    @Test
    void setPresenceWaitingForAnotherWritersChangeOfTheSameAgentAppliesAfterIt() throws Exception {
        String agent = signedInAgent();
        try (Connection other = TestDatabase.connect()) {
            other.setAutoCommit(false);
            try (PreparedStatement move = other.prepareStatement("UPDATE agent SET presence_id = 3, presence_cause = 'SUPERVISOR', "
                    + "presence_since = now(), version = version + 1 WHERE id = ?")) {
                move.setLong(1, Long.parseLong(agent));
                move.executeUpdate(); // holds the row, as another replica's transaction would
            }
            CompletableFuture<JsonPath> call = CompletableFuture.supplyAsync(() -> post(
                    "mutation($a: ID, $p: ID!) { setPresence(agentId: $a, presenceId: $p) { presence { id } } }", "a", agent, "p", 4));
            Thread.sleep(500); // the call is waiting for the row
            other.commit();
            JsonPath r = call.get(10, TimeUnit.SECONDS);
            assertNull(r.get("errors"), r::prettify);
            assertEquals("4", r.getString("data.setPresence.presence.id"));
        }
    }
}
