package org.ccpresence.reports;

import java.util.List;

import org.ccpresence.agent.Agent;
import org.ccpresence.presence.BaseStatus;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;

@Description("Where one agent's time went within a period, counted from the stored changes (signed-in time only).")
public class PresenceSummary {

    @NonNull
    @Description("The agent as they are now.")
    public final Agent agent;

    public final double signedInSeconds;

    @NonNull
    @Description("Only base statuses with time, in the order of the enum.")
    public final List<@NonNull BaseStatusTime> byBaseStatus;

    @NonNull
    @Description("Only presences with time, most time first.")
    public final List<@NonNull PresenceTime> byPresence;

    @Description("The agent's presence changes within the period.")
    public final int changes;

    PresenceSummary(Agent agent, double signedInSeconds, List<BaseStatusTime> byBaseStatus, List<PresenceTime> byPresence,
            int changes) {
        this.agent = agent;
        this.signedInSeconds = signedInSeconds;
        this.byBaseStatus = byBaseStatus;
        this.byPresence = byPresence;
        this.changes = changes;
    }

    /** The seconds spent in one base status (0 when none), for the CSV's fixed columns. */
    double secondsIn(BaseStatus status) {
        return byBaseStatus.stream().filter(t -> t.baseStatus() == status).mapToDouble(BaseStatusTime::seconds).sum();
    }
}
