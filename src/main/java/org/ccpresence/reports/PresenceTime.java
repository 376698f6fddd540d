package org.ccpresence.reports;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Ignore;

@Description("Seconds an agent spent in one presence within a report's period.")
public class PresenceTime {

    @Ignore
    public final long presenceId;

    public final double seconds;

    PresenceTime(long presenceId, double seconds) {
        this.presenceId = presenceId;
        this.seconds = seconds;
    }
}
