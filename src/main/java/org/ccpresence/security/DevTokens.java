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
 * an agent token (subject {@code dev-agent}), signed with the dev key pair under src/dev/jwt, valid for 12 hours;
 * {@code /dev/token-helper.js} adds one-click "use dev token" buttons to the pages.
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
        // Imported by the admin console and the agent desktop when it exists, i.e. in dev mode only.
        router.get("/dev/token-helper.js").handler(rc -> rc.response().putHeader("Content-Type", "text/javascript")
                .end(TOKEN_HELPER));
    }

    private static final String TOKEN_HELPER = """
            export async function addDevTokenButtons(container, apply) {
              const tokens = await (await fetch('/dev/tokens')).json();
              for (const role of ['admin', 'supervisor', 'agent']) {
                const button = document.createElement('button');
                button.type = 'button';
                button.className = 'secondary';
                button.textContent = `Use dev ${role} token`;
                button.addEventListener('click', () => apply(tokens[role]));
                container.append(button, ' ');
              }
            }
            """;

    private String token(String subject, String role) {
        return Jwt.issuer(issuer).subject(subject).upn(subject).groups(Set.of(role))
                .expiresIn(Duration.ofHours(12)).sign();
    }
}
