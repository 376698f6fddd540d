package org.ccpresence.security;

import java.time.Instant;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.error.ApiException;
import org.ccpresence.error.ErrorCode;
import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/** The caller of the current GraphQL operation, over HTTP or WebSocket. */
@ApplicationScoped
public class CallerContext {

    private final CurrentIdentityAssociation identities;

    CallerContext(CurrentIdentityAssociation identities) {
        this.identities = identities;
    }

    public Uni<Caller> caller() {
        return identities.getDeferredIdentity().map(CallerContext::toCaller);
    }

    public static Caller toCaller(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous()) {
            throw unauthenticated();
        }
        if (!(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            throw noSubject();
        }
        return toCaller(jwt, identity.getRoles());
    }

    /** The caller a verified token names: its subject, never the principal's name (upn, preferred_username). */
    public static Caller toCaller(JsonWebToken jwt, Set<String> roles) {
        if (jwt.getSubject() == null || jwt.getSubject().isBlank()) {
            throw noSubject();
        }
        Instant expires = jwt.getExpirationTime() > 0 ? Instant.ofEpochSecond(jwt.getExpirationTime()) : Instant.MAX;
        return new Caller(jwt.getSubject(), Set.copyOf(roles), expires);
    }

    private static ApiException noSubject() {
        return new ApiException(ErrorCode.UNAUTHENTICATED,
                "Your token names no subject (sub claim); get a token for a user from your identity provider.");
    }

    public static ApiException tokenExpired() {
        return new ApiException(ErrorCode.UNAUTHENTICATED,
                "Your token expired; subscribe again with a fresh token (and afterSequence to resume).");
    }

    public static ApiException badToken() {
        return new ApiException(ErrorCode.UNAUTHENTICATED, "The bearer token is not valid here (malformed, wrongly "
                + "signed, from another issuer or expired); get a fresh one from your identity provider.");
    }

    public static ApiException unauthenticated() {
        return new ApiException(ErrorCode.UNAUTHENTICATED,
                "Authentication required: send a valid bearer token (Authorization: Bearer <JWT>).");
    }
}
