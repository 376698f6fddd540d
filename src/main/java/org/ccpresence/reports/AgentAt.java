package org.ccpresence.reports;

import java.time.OffsetDateTime;

import org.ccpresence.agent.Agent;
import org.ccpresence.presence.BaseStatus;
import org.ccpresence.presence.Presence;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;

@Description("One agent as they were at a past moment.")
public class AgentAt {

    @NonNull
    @Description("The agent as they are now.")
    public final Agent agent;

    @NonNull
    public final Presence presence;

    public final boolean signedIn;

    @NonNull
    @Description("The base status the agent's presence had at that moment.")
    public final BaseStatus baseStatus;

    @NonNull
    @Description("When the agent's presence at that moment began.")
    public final OffsetDateTime since;

    AgentAt(Agent agent, Presence presence, boolean signedIn, BaseStatus baseStatus, OffsetDateTime since) {
        this.agent = agent;
        this.presence = presence;
        this.signedIn = signedIn;
        this.baseStatus = baseStatus;
        this.since = since;
    }
}
