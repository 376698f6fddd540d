package org.ccpresence.routing;

import org.eclipse.microprofile.graphql.Description;

/**
 * The eligibility rules, in the contract's order, each with the SQL condition an eligible agent meets (on agent
 * {@code a}, its presence {@code p} and workstream {@code w}). Routing ANDs them all ({@link EligibilityRules}); the
 * explanation reports each one that does not hold: the same conditions, so the two cannot disagree.
 */
public enum IneligibleReason {
    @Description("The agent does not belong to the workstream.")
    NOT_IN_WORKSTREAM("EXISTS (SELECT 1 FROM agent_workstream aw WHERE aw.workstream_id = w.id AND aw.agent_id = a.id)"),
    SIGNED_OUT("a.signed_in"),
    @Description("The agent's desktop connections are all closed (within the disconnect grace, before the sign-out it leads to).")
    // an agent who never opened a desktop since signing in (an integration) is not affected
    DESKTOP_DISCONNECTED("(a.desktop_last_seen_at IS NULL OR a.signed_in_at IS NULL OR a.desktop_last_seen_at < a.signed_in_at "
            + "OR EXISTS (SELECT 1 FROM desktop_connection d WHERE d.agent_id = a.id))"),
    @Description("The base status of the agent's presence is not among the workstream's allowedPresences.")
    STATUS_NOT_ALLOWED("p.base_status = ANY (w.allowed_presences)"),
    @Description("The agent has a pending offer, of any workstream.")
    PENDING_OFFER("NOT EXISTS (SELECT 1 FROM offer busy WHERE busy.agent_id = a.id AND busy.state = 'PENDING')"),
    @Description("The agent's free capacity is less than the workstream's capacityPerItem.")
    NO_FREE_CAPACITY("a.capacity - a.capacity_used >= w.capacity_per_item"),
    @Description("The agent is wrapping up completed work.")
    WRAP_UP("NOT EXISTS (SELECT 1 FROM offer wrapping WHERE wrapping.agent_id = a.id AND wrapping.state = 'WRAP_UP')");

    /** What an eligible agent meets. */
    final String met;

    IneligibleReason(String met) {
        this.met = met;
    }

    /** A column that is true when the rule is not met, named after it. */
    String failedColumn() {
        return "NOT " + met + " AS fails_" + name().toLowerCase();
    }

    String failedColumnName() {
        return "fails_" + name().toLowerCase();
    }
}
