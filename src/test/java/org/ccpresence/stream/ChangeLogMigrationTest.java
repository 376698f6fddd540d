package org.ccpresence.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.ccpresence.support.TestDatabase;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * The migrations of the third edition on a change log that already holds rows (written by the previous release's
 * triggers): nothing lost, every sequence kept, sign-in state and base status filled in, and the partitioned log takes
 * new changes.
 */
class ChangeLogMigrationTest {

    static final String DATABASE = "presence_migration_test";

    @Test
    void anExistingChangeLogIsConvertedWithoutLosingARowOrASequence() throws Exception {
        TestDatabase.recreate(DATABASE);
        flyway("8").migrate(); // the second edition's schema
        List<String> before;
        try (Connection c = TestDatabase.connect(DATABASE); Statement s = c.createStatement()) {
            s.execute("INSERT INTO agent (user_id, name) SELECT 'u' || n, 'Agent ' || n FROM generate_series(1, 50) n");
            // what the service's statements do: sign in, change presence, sign out (the triggers log each)
            s.execute("UPDATE agent SET signed_in = true, presence_id = 1, presence_cause = 'SIGN_IN', presence_since = now(), version = version + 1");
            s.execute("UPDATE agent SET presence_id = 4, presence_cause = 'AGENT', presence_since = now(), version = version + 1 WHERE id % 2 = 0");
            s.execute("UPDATE agent SET signed_in = false, presence_id = 6, presence_cause = 'SIGN_OUT', presence_since = now(), version = version + 1 WHERE id % 5 = 0");
            before = rows(s, "SELECT sequence || ' ' || agent_id || ' ' || current_presence_id || ' ' || cause || ' ' || at FROM presence_change ORDER BY sequence");
        }
        assertEquals(50 + 25 + 10, before.size());

        flyway(null).migrate();
        try (Connection c = TestDatabase.connect(DATABASE); Statement s = c.createStatement()) {
            assertEquals(before, rows(s, "SELECT sequence || ' ' || agent_id || ' ' || current_presence_id || ' ' || cause || ' ' || at FROM presence_change ORDER BY sequence"));
            assertEquals(List.of("10"), rows(s, "SELECT count(*) FROM presence_change WHERE NOT signed_in"), "the sign-outs are signed out");
            assertEquals(List.of("25"), rows(s, "SELECT count(*) FROM presence_change WHERE base_status = 'AWAY'"));
            assertEquals(List.of("t"), rows(s, "SELECT relkind = 'p' FROM pg_class WHERE relname = 'presence_change'"), "partitioned");
            long last = Long.parseLong(before.get(before.size() - 1).split(" ")[0]);
            s.execute("UPDATE agent SET presence_id = 2, presence_cause = 'AGENT', presence_since = now(), version = version + 1 WHERE id = 1");
            ResultSet next = s.executeQuery("SELECT sequence, base_status, signed_in FROM presence_change WHERE sequence > " + last);
            assertTrue(next.next(), "a new change is logged");
            assertEquals(last + 1, next.getLong(1), "and numbered on from the old ones");
            assertEquals("BUSY", next.getString(2));
            assertTrue(next.getBoolean(3));
        }
    }

    private static Flyway flyway(String target) {
        var config = Flyway.configure()
                .dataSource("jdbc:postgresql://" + TestDatabase.host() + ":" + TestDatabase.port() + "/" + DATABASE,
                        TestDatabase.user(), TestDatabase.password())
                .locations("classpath:db/migration").placeholders(Map.of("history_bridge", "1 day"));
        if (target != null) {
            config.target(target);
        }
        return config.load();
    }

    private static List<String> rows(Statement s, String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                rows.add(r.getString(1));
            }
        }
        return rows;
    }
}
