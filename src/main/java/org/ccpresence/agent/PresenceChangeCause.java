package org.ccpresence.agent;

public enum PresenceChangeCause {
    /** The agent signed in (default presence). */
    SIGN_IN,
    /** The agent signed out (Offline). */
    SIGN_OUT,
    /** The agent chose a presence. */
    AGENT,
    /** A supervisor or administrator set the agent's presence. */
    SUPERVISOR,
    /** The agent let an offer expire on a workstream with missed notifications. */
    MISSED_NOTIFICATION,
    /** An administrator changed the base status of the presence the agent is in. */
    PRESENCE_EDITED,
    /** Accepted work filled the agent's capacity (to Busy), or completed work freed it (back). */
    CAPACITY,
    /** The agent's time-limited presence ran out. */
    TIME_LIMIT,
    /** The agent's desktop connections were all closed for longer than the grace period. */
    DISCONNECTED,
    /** The agent rejected an offer of a workstream with presenceAfterReject. */
    OFFER_REJECTED
}
