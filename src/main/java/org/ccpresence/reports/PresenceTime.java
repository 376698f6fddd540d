package org.ccpresence.reports;

import org.ccpresence.presence.Presence;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;

@Description("Seconds an agent spent in one presence within a report's period.")
public class PresenceTime {

    @NonNull
    public final Presence presence;

    public final double seconds;

    PresenceTime(Presence presence, double seconds) {
        this.presence = presence;
        this.seconds = seconds;
    }
}
