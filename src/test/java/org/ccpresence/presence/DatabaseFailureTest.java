package org.ccpresence.presence;

import static org.ccpresence.support.GraphQL.errorCode;
import static org.ccpresence.support.GraphQL.post;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.anyOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.sql.Connection;

import org.ccpresence.support.TestDatabase;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** A failure the service did not foresee reaches the client as INTERNAL, with no SQL, class name or stack trace. */
@QuarkusTest
class DatabaseFailureTest {

    @Test
    void brokenDatabaseGivesAnInternalErrorWithoutLeakingDetails() throws Exception {
        try (Connection c = TestDatabase.connect()) {
            c.createStatement().execute("ALTER TABLE presence RENAME COLUMN presence_text TO presence_text_broken");
            try {
                JsonPath r = post("{ presences { id presenceText } }");
                assertEquals("INTERNAL", errorCode(r), r::prettify);
                String body = r.prettify();
                for (String leak : new String[] { "presence_text", "select", "SELECT", "Exception", "org.", "java.", "\tat ", "does not exist" }) {
                    assertThat(body, not(containsString(leak)));
                }
                assertThat(r.getString("errors[0].message"), anyOf(containsString("reference"), containsString("Retry")));
            } finally {
                c.createStatement().execute("ALTER TABLE presence RENAME COLUMN presence_text_broken TO presence_text");
            }
        }
        JsonPath healed = post("{ presences { id presenceText } }");
        assertNull(healed.get("errors"), healed::prettify);
    }
}
