package org.ccpresence.routing;

public enum OfferState {
    PENDING, ACCEPTED, REJECTED, EXPIRED,
    /** The work of an accepted offer is done (completeWork); the capacity it held is free again. */
    COMPLETED,
    /** Completed work whose workstream has wrap-up: the agent is offered nothing until wrapUpUntil (capacity still held). */
    WRAP_UP
}
