package org.ccpresence.webhooks;

import static org.ccpresence.support.Fixtures.createWorkstream;
import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.GraphQL.errorCode;
import static org.ccpresence.support.GraphQL.errorMessage;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.postAs;
import static org.ccpresence.support.WebhookReceiver.input;
import static org.ccpresence.support.WebhookReceiver.newSecret;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.ccpresence.support.Tokens;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Registering webhooks with the shipped defaults: private targets refused. */
@QuarkusTest
class WebhookRegistrationTest {

    static final String CREATE = "mutation($in: WebhookInput!) { createWebhook(input: $in) { id url enabled deliveredThrough failures version workstream { id } } }";
    static final String UPDATE = "mutation($id: ID!, $in: WebhookInput!, $v: Int) { updateWebhook(id: $id, input: $in, expectedVersion: $v) { id url enabled version workstream { id } } }";

    @Test
    void loopbackPrivateAndLinkLocalTargetsAreRefusedByDefault() {
        long before = countWebhooksTo("127.0.0.1");
        for (String url : List.of("http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.1.2.3/hook",
                "http://192.168.0.10/hook", "http://172.16.5.5/hook", "http://169.254.169.254/latest/meta-data",
                "http://[::1]/hook", "http://[fd00::1]/hook", "http://0.0.0.0/hook")) {
            JsonPath r = post(CREATE, "in", input(url, newSecret()));
            assertEquals("BAD_USER_INPUT", errorCode(r), url + ": " + r.prettify());
            assertThat(errorMessage(r), containsString("PRESENCE_WEBHOOKS_ALLOW_PRIVATE"));
        }
        assertEquals(before, countWebhooksTo("127.0.0.1"), "nothing written");
    }

    @Test
    void badUrlsSecretsAndWorkstreamsAreRefusedWithTheFix() {
        String secret = newSecret();
        assertRefused(post(CREATE, "in", input("ftp://example.com/hook", secret)), "https://");
        assertRefused(post(CREATE, "in", input("https://user:pass@example.com/hook", secret)), "user info");
        assertRefused(post(CREATE, "in", input("https://example.com/" + "a".repeat(2000), secret)), "2000");
        assertRefused(post(CREATE, "in", input("not a url", secret)), "");
        assertRefused(post(CREATE, "in", input("https:///path-only", secret)), "host");
        assertRefused(post(CREATE, "in", input("https://example.com/hook", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")), "whsec_");
        assertRefused(post(CREATE, "in", input("https://example.com/hook", "whsec_c2hvcnQ=")), "24 to 64");
        assertRefused(post(CREATE, "in", input("https://example.com/hook", "whsec_%%%notbase64%%%")), "base64");
        assertRefused(post(CREATE, "in", input("https://example.com/hook", null)), "secret is required");
        Map<String, Object> unknown = new HashMap<>(input("https://example.com/hook", secret));
        unknown.put("workstreamId", "987654321");
        assertRefused(post(CREATE, "in", unknown), "987654321");
    }

    @Test
    void onlyAdministratorsManageWebhooks() {
        for (String token : List.of(Tokens.supervisor(), Tokens.agent("someone"))) {
            assertEquals("FORBIDDEN", errorCode(postAs(token, "{ webhooks { id } }")));
            assertEquals("FORBIDDEN", errorCode(postAs(token, CREATE, "in", input("https://example.com/hook", newSecret()))));
        }
    }

    @Test
    void theSecretIsWriteOnly() {
        JsonPath r = post("{ webhooks { id secret } }");
        assertEquals("BAD_USER_INPUT", errorCode(r), "Webhook has no secret field");
    }

    /** A public target through a name that resolves here: example.com is kept on this machine's hosts if present. */
    @Test
    void aWebhookToAPublicAddressIsRegisteredUpdatedAndDeleted() {
        String workstream = createWorkstream(List.of("AVAILABLE"), false, 60);
        JsonPath created = post(CREATE, "in", input("https://93.184.215.14/presence", newSecret()));
        String id = required(created, "data.createWebhook.id");
        assertEquals(true, created.getBoolean("data.createWebhook.enabled"));
        assertEquals(0, created.getInt("data.createWebhook.failures"));
        assertEquals((Object) null, created.get("data.createWebhook.deliveredThrough"));
        assertEquals(1, created.getInt("data.createWebhook.version"));

        Map<String, Object> filtered = new HashMap<>();
        filtered.put("url", "https://93.184.215.14/other");
        filtered.put("workstreamId", workstream);
        JsonPath updated = post(UPDATE, "id", id, "in", filtered, "v", 1);
        assertEquals(workstream, updated.getString("data.updateWebhook.workstream.id"), updated::prettify);
        assertEquals(2, updated.getInt("data.updateWebhook.version"));
        JsonPath stale = post(UPDATE, "id", id, "in", Map.of("url", "https://93.184.215.14/x"), "v", 1);
        assertEquals("CONFLICT", errorCode(stale));
        assertThat(errorMessage(stale), containsString("version 2"));
        assertEquals("https://93.184.215.14/other", post("{ webhooks { id url } }").getList("data.webhooks.findAll { it.id == '" + id + "' }.url").get(0));

        JsonPath kept = post(UPDATE, "id", id, "in", Map.of("url", "https://93.184.215.14/other", "enabled", false));
        assertEquals(workstream, kept.getString("data.updateWebhook.workstream.id"), "left out: kept");
        assertFalse(kept.getBoolean("data.updateWebhook.enabled"));
        Map<String, Object> cleared = new HashMap<>();
        cleared.put("url", "https://93.184.215.14/other");
        cleared.put("workstreamId", null);
        assertEquals((Object) null, post(UPDATE, "id", id, "in", cleared).get("data.updateWebhook.workstream"), "null: removed");

        JsonPath deleteWorkstream = post("mutation($id: ID!) { deleteWorkstream(id: $id) }", "id", workstream);
        assertEquals((Object) null, deleteWorkstream.get("errors"), "no webhook filters on it any more");

        assertEquals(id, post("mutation($id: ID!) { deleteWebhook(id: $id) }", "id", id).getString("data.deleteWebhook"));
        assertEquals("NOT_FOUND", errorCode(post("mutation($id: ID!) { deleteWebhook(id: $id) }", "id", id)));
        assertEquals("NOT_FOUND", errorCode(post(UPDATE, "id", id, "in", Map.of("url", "https://93.184.215.14/x"))));
    }

    @Test
    void aWorkstreamAWebhookFiltersOnIsNotDeleted() {
        String workstream = createWorkstream(List.of("AVAILABLE"), false, 60);
        Map<String, Object> in = new HashMap<>(input("https://93.184.215.14/presence", newSecret()));
        in.put("workstreamId", workstream);
        String id = required(post(CREATE, "in", in), "data.createWebhook.id");
        JsonPath refused = post("mutation($id: ID!) { deleteWorkstream(id: $id) }", "id", workstream);
        assertEquals("CONFLICT", errorCode(refused), refused::prettify);
        assertThat(errorMessage(refused), containsString("webhook"));
        post("mutation($id: ID!) { deleteWebhook(id: $id) }", "id", id);
    }

    private static long countWebhooksTo(String host) {
        return post("{ webhooks { url } }").getList("data.webhooks.url", String.class).stream().filter(u -> u.contains(host)).count();
    }

    private static void assertRefused(JsonPath r, String message) {
        assertEquals("BAD_USER_INPUT", errorCode(r), r::prettify);
        assertThat(errorMessage(r), containsString(message));
    }
}
