package org.ccpresence.security;

import java.util.function.BiConsumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.ccpresence.error.ApiException;
import org.ccpresence.error.ContractErrors;
import org.jboss.logging.Logger;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * GraphQL over HTTP answers only authenticated callers: a missing, malformed, wrongly signed, foreign or expired
 * token gets HTTP 401 with an UNAUTHENTICATED GraphQL error, before any operation runs. WebSocket upgrades pass: their
 * credentials may come later, in connection_init, and every operation checks its caller anyway.
 */
@ApplicationScoped
class HttpAuthGuard {

    private static final Logger LOG = Logger.getLogger(HttpAuthGuard.class);

    void register(@Observes Router router) {
        router.route("/graphql").order(-150).handler(this::check);
        router.route("/graphql/*").order(-150).handler(this::check);
    }

    private void check(RoutingContext rc) {
        if ("websocket".equalsIgnoreCase(rc.request().getHeader("Upgrade"))) {
            rc.next();
            return;
        }
        // Quarkus answers a failed authentication itself (401, empty body) unless told otherwise.
        BiConsumer<RoutingContext, Throwable> onFailure = HttpAuthGuard::badToken;
        rc.put(QuarkusHttpUser.AUTH_FAILURE_HANDLER, onFailure);
        Uni<SecurityIdentity> identity = rc.get(QuarkusHttpUser.DEFERRED_IDENTITY_KEY);
        if (identity == null) {
            refuse(rc, CallerContext.unauthenticated());
            return;
        }
        identity.subscribe().with(
                id -> {
                    if (id == null || id.isAnonymous()) {
                        refuse(rc, CallerContext.unauthenticated());
                    } else {
                        rc.next();
                    }
                },
                failure -> badToken(rc, failure));
    }

    private static void badToken(RoutingContext rc, Throwable failure) {
        LOG.debugf("Refused a bearer token: %s", failure.getMessage());
        refuse(rc, CallerContext.badToken());
    }

    private static void refuse(RoutingContext rc, ApiException error) {
        if (rc.response().ended()) {
            return;
        }
        rc.response().putHeader("WWW-Authenticate", "Bearer");
        ContractErrors.respond(rc, 401, error);
    }
}
