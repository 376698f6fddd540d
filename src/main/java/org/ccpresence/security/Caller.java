package org.ccpresence.security;

import java.time.Instant;
import java.util.Set;

/** Who is calling: the token's subject, its roles and when it expires. */
public record Caller(String subject, Set<String> roles, Instant expiresAt) {

    public boolean isAdmin() {
        return roles.contains(Roles.ADMIN);
    }

    /** Supervisors and administrators act on any agent. */
    public boolean actsOnAnyAgent() {
        return isAdmin() || roles.contains(Roles.SUPERVISOR);
    }
}
