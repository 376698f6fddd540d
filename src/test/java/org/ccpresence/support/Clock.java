package org.ccpresence.support;

import java.sql.Connection;
import java.sql.PreparedStatement;

/** Moves offers' expiry into the past, so that tests need not wait out real timeouts (5 s at least). */
public final class Clock {

    private Clock() {
    }

    public static void expireNow(String... offerIds) throws Exception {
        try (Connection c = TestDatabase.connect();
                PreparedStatement s = c.prepareStatement(
                        "UPDATE offer SET expires_at = now() - interval '1 millisecond', offered_at = now() - interval '1 minute' WHERE id = ANY(?)")) {
            Long[] ids = java.util.Arrays.stream(offerIds).map(Long::valueOf).toArray(Long[]::new);
            s.setArray(1, c.createArrayOf("bigint", ids));
            s.executeUpdate();
        }
    }

    public static void expireIn(String offerId, long millis) throws Exception {
        try (Connection c = TestDatabase.connect();
                PreparedStatement s = c.prepareStatement(
                        "UPDATE offer SET expires_at = now() + make_interval(secs => ? / 1000.0) WHERE id = ?")) {
            s.setLong(1, millis);
            s.setLong(2, Long.parseLong(offerId));
            s.executeUpdate();
        }
    }
}
