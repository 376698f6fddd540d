package org.ccpresence.routing;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Who may be offered work, as SQL: every rule of {@link IneligibleReason} met — an agent of the workstream who is
 * signed in, whose desktop has not dropped, whose current presence's base status is allowed by the workstream, who
 * has no pending offer, the free capacity one of its items holds, and is not wrapping up. Longest-waiting first
 * (never offered first). Served by agent_routing_idx (signed-in agents by last_offered_at), agent_workstream's
 * primary key and the pending-offer and wrap-up indexes.
 */
final class EligibilityRules {

    /** Every rule, ANDed: the one definition that routing, eligibleAgents and the explanation's ahead use. */
    static final String ALL_MET = Arrays.stream(IneligibleReason.values()).map(r -> r.met)
            .collect(Collectors.joining("\n  AND "));

    /** Eligible agents of workstream {@code w} (a joined alias); callers add conditions and the ORDER BY. */
    static final String ELIGIBLE_AGENTS = "SELECT a.id, a.last_offered_at FROM agent a JOIN presence p ON p.id = a.presence_id\n"
            + "WHERE " + ALL_MET + "\n";

    static final String LONGEST_WAITING_FIRST = " ORDER BY a.last_offered_at NULLS FIRST, a.id ";

    private EligibilityRules() {
    }
}
