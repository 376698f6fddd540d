package org.ccpresence.security;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.LaunchMode;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * {@code GET /ui/config.json}: what the service offers its pages, asked for once per page load, no token needed — so
 * that a page never requests what is not there (the dev-only token helper outside dev mode), and signs in through the
 * organisation's identity provider when one is configured ({@code PRESENCE_UI_OIDC_ISSUER}, {@code _CLIENT_ID},
 * {@code _SCOPE}).
 */
@ApplicationScoped
class PageConfig {

    @ConfigProperty(name = "presence.ui.oidc.issuer")
    Optional<String> issuer;

    @ConfigProperty(name = "presence.ui.oidc.client-id")
    Optional<String> clientId;

    @ConfigProperty(name = "presence.ui.oidc.scope", defaultValue = "openid profile")
    String scope;

    void register(@Observes Router router) {
        JsonObject config = new JsonObject().put("devTokens", LaunchMode.current() == LaunchMode.DEVELOPMENT);
        if (issuer.isPresent() && clientId.isPresent()) {
            config.put("oidc", new JsonObject().put("issuer", issuer.get()).put("clientId", clientId.get()).put("scope", scope));
        }
        String body = config.encode();
        router.get("/ui/config.json").handler(rc -> rc.response().putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-cache").end(body));
    }
}
