package org.ccpresence.routing;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Ignore;
import org.eclipse.microprofile.graphql.NonNull;

@Description("Whether an agent can be offered a workstream's work now, and every reason why not.")
public class Eligibility {

    @Ignore
    public final long agentId;

    @Ignore
    public final long workstreamId;

    public final boolean eligible;

    @NonNull
    @Description("Every rule the agent fails now, in the order of the enum; empty when eligible.")
    public final List<@NonNull IneligibleReason> reasons;

    @NonNull
    @Description("One sentence per reason, in the same order, naming the values involved and what would change it.")
    public final List<@NonNull String> explanation;

    @Description("When eligible: how many eligible agents of the workstream would be offered its next item first. Null when not eligible.")
    public final Integer ahead;

    Eligibility(long agentId, long workstreamId, List<IneligibleReason> reasons, List<String> explanation, Integer ahead) {
        this.agentId = agentId;
        this.workstreamId = workstreamId;
        this.eligible = reasons.isEmpty();
        this.reasons = reasons;
        this.explanation = explanation;
        this.ahead = ahead;
    }
}
