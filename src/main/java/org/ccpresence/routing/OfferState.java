package org.ccpresence.routing;

public enum OfferState {
    PENDING, ACCEPTED, REJECTED, EXPIRED
}
