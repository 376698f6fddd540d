package org.ccpresence.security;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Verifies a bearer token outside an HTTP request (the WebSocket transport's connection_init), with the same parser,
 * settings and cache as HTTP requests. Verification may fetch the provider's keys, so it runs off the event loop.
 */
@ApplicationScoped
public class TokenVerifier {

    private static final String BEARER = "Bearer ";

    private final JWTParser parser;

    TokenVerifier(JWTParser parser) {
        this.parser = parser;
    }

    /** The caller an {@code Authorization} value ("Bearer …") names; UNAUTHENTICATED if it is missing or not valid. */
    public Uni<Caller> verify(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Uni.createFrom().failure(CallerContext.unauthenticated());
        }
        String token = authorization.substring(BEARER.length()).trim();
        return Uni.createFrom().item(() -> {
            try {
                JsonWebToken jwt = parser.parse(token);
                return CallerContext.toCaller(jwt, jwt.getGroups());
            } catch (ParseException e) {
                throw CallerContext.badToken();
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
