-- Second edition: time-limited presences, a graduated miss policy, disconnect grace.

ALTER TABLE presence
    ADD COLUMN time_limit_seconds integer CHECK (time_limit_seconds BETWEEN 1 AND 86400),
    ADD COLUMN then_presence_id   bigint REFERENCES presence (id);

ALTER TABLE workstream
    ADD COLUMN misses_to_inactive integer NOT NULL DEFAULT 1 CHECK (misses_to_inactive >= 1),
    ADD COLUMN misses_to_sign_out integer CHECK (misses_to_sign_out > misses_to_inactive);

ALTER TABLE agent
    ADD COLUMN missed_in_a_row      integer NOT NULL DEFAULT 0,
    ADD COLUMN signed_in_at         timestamptz,
    -- The last moment a desktop connection of the agent was open (set when the last one closed, or when the replica
    -- holding it was found dead): with no connection open since then for longer than the grace, the agent is signed out.
    ADD COLUMN desktop_last_seen_at timestamptz;
UPDATE agent SET signed_in_at = presence_since WHERE signed_in;

ALTER TABLE agent DROP CONSTRAINT agent_presence_cause_check;
ALTER TABLE agent ADD CONSTRAINT agent_presence_cause_check CHECK (presence_cause IN
    ('SIGN_IN', 'SIGN_OUT', 'AGENT', 'SUPERVISOR', 'MISSED_NOTIFICATION', 'CAPACITY', 'TIME_LIMIT', 'DISCONNECTED'));
ALTER TABLE presence_change DROP CONSTRAINT presence_change_cause_check;
ALTER TABLE presence_change ADD CONSTRAINT presence_change_cause_check CHECK (cause IN
    ('SIGN_IN', 'SIGN_OUT', 'AGENT', 'SUPERVISOR', 'MISSED_NOTIFICATION', 'PRESENCE_EDITED', 'CAPACITY', 'TIME_LIMIT',
     'DISCONNECTED'));

-- The disconnect sweep looks only at signed-in agents whose desktop has gone.
CREATE INDEX agent_desktop_gone_idx ON agent (desktop_last_seen_at) WHERE signed_in AND desktop_last_seen_at IS NOT NULL;

-- Every running replica, with its last sign of life (a heartbeat); a replica silent for longer than a few heartbeats
-- is dead, and the others count its desktop connections as closed at that last sign of life.
CREATE TABLE replica (
    id        uuid        PRIMARY KEY,
    last_seen timestamptz NOT NULL
);

-- Agents with at least one desktop connection open on a replica (one row per agent and replica, not per socket).
CREATE TABLE desktop_connection (
    agent_id   bigint NOT NULL REFERENCES agent (id) ON DELETE CASCADE,
    replica_id uuid   NOT NULL REFERENCES replica (id) ON DELETE CASCADE,
    PRIMARY KEY (agent_id, replica_id)
);
CREATE INDEX desktop_connection_replica_idx ON desktop_connection (replica_id);
