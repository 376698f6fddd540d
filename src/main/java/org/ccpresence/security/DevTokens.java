package org.ccpresence.security;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.arc.profile.IfBuildProfile;
import io.smallrye.jwt.build.Jwt;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * Dev profile only (not in production builds): {@code GET /dev/tokens} hands out an administrator, a supervisor and
 * an agent token (subject {@code dev-agent}), signed with the dev key pair under src/dev/jwt, valid for 12 hours.
 */
@ApplicationScoped
@IfBuildProfile("dev")
class DevTokens {

    static final String AGENT_SUBJECT = "dev-agent";

    @ConfigProperty(name = "mp.jwt.verify.issuer")
    String issuer;

    void register(@Observes Router router) {
        router.get("/dev/tokens").handler(rc -> rc.response().putHeader("Content-Type", "application/json")
                .end(new JsonObject()
                        .put("admin", token("dev-admin", Roles.ADMIN))
                        .put("supervisor", token("dev-supervisor", Roles.SUPERVISOR))
                        .put("agent", token(AGENT_SUBJECT, Roles.AGENT))
                        .put("agentUserId", AGENT_SUBJECT)
                        .encodePrettily()));
    }

    private String token(String subject, String role) {
        return Jwt.issuer(issuer).subject(subject).upn(subject).groups(Set.of(role))
                .expiresIn(Duration.ofHours(12)).sign();
    }
}
