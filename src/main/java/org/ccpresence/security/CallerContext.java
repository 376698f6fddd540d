package org.ccpresence.security;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.error.ApiException;
import org.ccpresence.error.ErrorCode;
import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;
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

    static Caller toCaller(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous()) {
            throw unauthenticated();
        }
        if (!(identity.getPrincipal() instanceof JsonWebToken jwt) || jwt.getSubject() == null || jwt.getSubject().isBlank()) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED,
                    "Your token names no subject (sub claim); get a token for a user from your identity provider.");
        }
        Instant expires = jwt.getExpirationTime() > 0 ? Instant.ofEpochSecond(jwt.getExpirationTime()) : Instant.MAX;
        // The subject, never the principal's name: upn and preferred_username are human, changeable names.
        return new Caller(jwt.getSubject(), identity.getRoles(), expires);
    }

    /** Ends a subscription with UNAUTHENTICATED when the caller's token expires. */
    public <T> Multi<T> untilTokenExpires(Caller caller, Multi<T> stream) {
        if (caller.expiresAt().equals(Instant.MAX)) {
            return stream;
        }
        Duration left = Duration.between(Instant.now(), caller.expiresAt());
        Multi<T> expiry = Uni.createFrom().<T>nullItem().onItem().delayIt().by(left.isNegative() ? Duration.ZERO : left)
                .onItem().failWith(() -> new ApiException(ErrorCode.UNAUTHENTICATED,
                        "Your token expired; subscribe again with a fresh token (and afterSequence to resume)."))
                .toMulti();
        return Multi.createBy().merging().streams(stream, expiry);
    }

    public static ApiException unauthenticated() {
        return new ApiException(ErrorCode.UNAUTHENTICATED,
                "Authentication required: send a valid bearer token (Authorization: Bearer <JWT>).");
    }
}
