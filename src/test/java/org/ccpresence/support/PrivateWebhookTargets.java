package org.ccpresence.support;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Webhook tests: receivers on 127.0.0.1 allowed, short timeouts and a short disable-after. */
public class PrivateWebhookTargets implements QuarkusTestProfile {

    public static final int TIMEOUT_SECONDS = 2;
    public static final int DISABLE_AFTER_SECONDS = 6;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("presence.webhooks.allow-private", "true",
                "presence.webhooks.timeout", TIMEOUT_SECONDS + "s",
                "presence.webhooks.disable-after", DISABLE_AFTER_SECONDS + "s");
    }
}
