package org.ccpresence.presence;

import org.eclipse.microprofile.graphql.Description;

/** The six presences every installation has; their ids are fixed by the first migration. */
@Description("The six presences every installation has. INACTIVE maps to AWAY.")
public enum SystemPresence {
    AVAILABLE(1), BUSY(2), BUSY_DND(3), AWAY(4), INACTIVE(5), OFFLINE(6);

    private final long id;

    SystemPresence(long id) {
        this.id = id;
    }

    public long id() {
        return id;
    }
}
