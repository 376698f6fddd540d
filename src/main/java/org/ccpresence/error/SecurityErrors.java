package org.ccpresence.error;

import java.util.Optional;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/** Quarkus security refusals, as contract errors. */
final class SecurityErrors {

    private SecurityErrors() {
    }

    static Optional<ApiException> translate(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UnauthorizedException || t instanceof AuthenticationFailedException) {
                return Optional.of(new ApiException(ErrorCode.UNAUTHENTICATED,
                        "Authentication required: send a valid bearer token (Authorization: Bearer …)."));
            }
            if (t instanceof ForbiddenException) {
                return Optional.of(ApiException.forbidden("Your role does not allow this operation."));
            }
        }
        return Optional.empty();
    }
}
