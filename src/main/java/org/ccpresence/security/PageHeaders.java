package org.ccpresence.security;

import java.net.URI;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.vertx.core.MultiMap;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The headers of the pages and their files, set just before any response's headers are written (so they replace the
 * static handler's {@code public, immutable, max-age=86400}, which kept a day-old page and script running against an
 * upgraded API, without even a reload asking again).
 * <ul>
 * <li>The static files (pages, scripts, styles, images): {@code no-cache} — a browser keeps them but asks each load, answered 304 until an
 * upgrade changes them. Files under {@code /webjars/} keep a long life: their version is in their path.
 * <li>Every answer: {@code nosniff} and {@code no-referrer} (a page's address is never sent on).
 * <li>HTML: a Content-Security-Policy allowing only this origin — plus the identity provider, where single sign-on is
 * configured, for its discovery, token and silent-renewal requests — and framed by nobody.
 * </ul>
 */
@ApplicationScoped
class PageHeaders {

    @ConfigProperty(name = "presence.ui.oidc.issuer")
    Optional<String> issuer;

    private String policy;

    void register(@Observes Router router) {
        String provider = issuer.map(PageHeaders::origin).map(origin -> " " + origin).orElse("");
        policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'"
                + provider + "; frame-src 'self'" + provider + "; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
                + provider + "; object-src 'none'";
        router.route().order(-200).handler(this::onHeaders);
    }

    private void onHeaders(RoutingContext rc) {
        String path = rc.normalizedPath();
        rc.addHeadersEndHandler(v -> {
            MultiMap headers = rc.response().headers();
            headers.set("X-Content-Type-Options", "nosniff");
            headers.set("Referrer-Policy", "no-referrer");
            String type = String.valueOf(headers.get("Content-Type"));
            if (type.startsWith("text/html")) {
                headers.set("Content-Security-Policy", policy);
            }
            boolean staticFile = rc.response().getStatusCode() == 304 // the static handler's "not modified" says no more
                    || String.valueOf(headers.get("Cache-Control")).contains("immutable");
            if (staticFile && !path.startsWith("/webjars/")) {
                headers.set("Cache-Control", "no-cache");
            }
        });
        rc.next();
    }

    private static String origin(String address) {
        URI uri = URI.create(address);
        return uri.getScheme() + "://" + uri.getAuthority();
    }
}
