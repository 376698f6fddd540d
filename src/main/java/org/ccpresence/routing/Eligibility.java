package org.ccpresence.routing;

/**
 * Who may be offered work, as SQL: an agent of the workstream who is signed in, whose current presence's base status
 * is allowed by the workstream, who has the free capacity one of its items holds, and who has no pending offer.
 * Longest-waiting first (never offered first). Served by agent_routing_idx (signed-in agents by last_offered_at),
 * agent_workstream's primary key and the pending-offer index.
 */
final class Eligibility {

    /** Eligible agents of workstream {@code w} (a joined alias); callers add conditions and the ORDER BY. */
    static final String ELIGIBLE_AGENTS = """
            SELECT a.id, a.last_offered_at FROM agent a JOIN presence p ON p.id = a.presence_id
            WHERE a.signed_in
              AND EXISTS (SELECT 1 FROM agent_workstream aw WHERE aw.workstream_id = w.id AND aw.agent_id = a.id)
              AND p.base_status = ANY (w.allowed_presences)
              AND a.capacity - a.capacity_used >= w.capacity_per_item
              AND NOT EXISTS (SELECT 1 FROM offer busy WHERE busy.agent_id = a.id AND busy.state = 'PENDING')
            """;

    static final String LONGEST_WAITING_FIRST = " ORDER BY a.last_offered_at NULLS FIRST, a.id ";

    private Eligibility() {
    }
}
