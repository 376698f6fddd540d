package org.ccpresence.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.LaunchMode;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * {@code GET /ui/config.json}: what the service offers its pages, asked for once per page load, no token needed —
 * so that a page never requests what is not there (the dev-only token helper outside dev mode).
 */
@ApplicationScoped
class PageConfig {

    void register(@Observes Router router) {
        String config = new JsonObject().put("devTokens", LaunchMode.current() == LaunchMode.DEVELOPMENT).encode();
        router.get("/ui/config.json").handler(rc -> rc.response().putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-cache").end(config));
    }
}
