package org.ccpresence.security;

/** The roles of the contract, as they arrive in the token's {@code groups} claim. */
public final class Roles {

    public static final String ADMIN = "presence-admin";
    public static final String SUPERVISOR = "supervisor";
    public static final String AGENT = "agent";

    private Roles() {
    }
}
