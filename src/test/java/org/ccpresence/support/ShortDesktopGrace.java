package org.ccpresence.support;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Disconnect grace of 2 s instead of 90 s, for the tests that wait for it. */
public class ShortDesktopGrace implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("presence.desktop.grace", "2s");
    }
}
