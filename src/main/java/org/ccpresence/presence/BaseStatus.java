package org.ccpresence.presence;

import org.eclipse.microprofile.graphql.Description;

@Description("Routing understands these five statuses, and nothing else.")
public enum BaseStatus {
    AVAILABLE, BUSY, BUSY_DND, AWAY, OFFLINE
}
