package org.ccpresence.security;

import java.time.Instant;
import java.util.Set;

import org.ccpresence.error.ApiException;

/** Who is calling: the token's subject, its roles and when it expires. */
public record Caller(String subject, Set<String> roles, Instant expiresAt) {

    public boolean isAdmin() {
        return roles.contains(Roles.ADMIN);
    }

    /** Refuses a caller with none of the roles (FORBIDDEN), as {@code @RolesAllowed} does on HTTP. */
    public void requireAnyRole(String... allowed) {
        for (String role : allowed) {
            if (roles.contains(role)) {
                return;
            }
        }
        throw ApiException.forbidden("Your role does not allow this operation.");
    }

    /** Supervisors and administrators act on any agent. */
    public boolean actsOnAnyAgent() {
        return isAdmin() || roles.contains(Roles.SUPERVISOR);
    }
}
