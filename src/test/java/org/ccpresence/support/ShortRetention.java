package org.ccpresence.support;

import java.util.List;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * History kept 4 s in spans of 2 s, on a database of its own made fresh for the run (its migration's bridge partition
 * lasts 1 s, so that the service's own spans take over at once and old ones can be seen to go).
 */
public class ShortRetention implements QuarkusTestProfile {

    public static final String DATABASE = "presence_retention_test";
    public static final int RETENTION_SECONDS = 4;
    public static final int SPAN_SECONDS = 2;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("presence.history.retention", RETENTION_SECONDS + "s",
                "presence.history.partition", SPAN_SECONDS + "s",
                "presence.history.maintain-every", "1s",
                "quarkus.flyway.placeholders.history_bridge", "1 second");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(FreshDatabase.class));
    }

    public static class FreshDatabase implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            return TestDatabase.freshDatasource(DATABASE);
        }

        @Override
        public void stop() {
        }
    }
}
