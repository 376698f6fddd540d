package org.ccpresence.error;

/** The error codes of the contract; every GraphQL error carries one in {@code extensions.code}. */
public enum ErrorCode {
    BAD_USER_INPUT,
    NOT_FOUND,
    CONFLICT,
    FORBIDDEN,
    UNAUTHENTICATED,
    NO_ELIGIBLE_AGENT,
    INTERNAL
}
