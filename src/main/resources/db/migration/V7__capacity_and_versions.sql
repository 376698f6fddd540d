-- Second edition: versions on agents, presences and workstreams (conflict-safe writes), and capacity.

-- Every statement that changes an agent's presence or sign-in state also sets version = version + 1; the change log
-- records the version each change produced, so a client that follows the stream holds the current one.
ALTER TABLE agent
    ADD COLUMN version       integer NOT NULL DEFAULT 1,
    ADD COLUMN capacity      integer NOT NULL DEFAULT 100 CHECK (capacity BETWEEN 0 AND 10000),
    -- The units held by the agent's ACCEPTED offers (each offer keeps its own units in offer.capacity_units).
    ADD COLUMN capacity_used integer NOT NULL DEFAULT 0 CHECK (capacity_used >= 0),
    -- Where completing work returns an agent whom capacity moved to Busy (presence_cause 'CAPACITY').
    ADD COLUMN presence_before_capacity_id bigint REFERENCES presence (id);
ALTER TABLE agent DROP CONSTRAINT agent_presence_cause_check;
ALTER TABLE agent ADD CONSTRAINT agent_presence_cause_check
    CHECK (presence_cause IN ('SIGN_IN', 'SIGN_OUT', 'AGENT', 'SUPERVISOR', 'MISSED_NOTIFICATION', 'CAPACITY'));

ALTER TABLE presence ADD COLUMN version integer NOT NULL DEFAULT 1;

ALTER TABLE workstream
    ADD COLUMN version           integer NOT NULL DEFAULT 1,
    ADD COLUMN capacity_per_item integer NOT NULL DEFAULT 0 CHECK (capacity_per_item BETWEEN 0 AND 10000);

ALTER TABLE offer
    ADD COLUMN capacity_units integer NOT NULL DEFAULT 0,
    ADD COLUMN completed_at   timestamptz;
ALTER TABLE offer DROP CONSTRAINT offer_state_check;
ALTER TABLE offer ADD CONSTRAINT offer_state_check CHECK (state IN ('PENDING', 'ACCEPTED', 'REJECTED', 'EXPIRED', 'COMPLETED'));

ALTER TABLE presence_change ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE presence_change DROP CONSTRAINT presence_change_cause_check;
ALTER TABLE presence_change ADD CONSTRAINT presence_change_cause_check
    CHECK (cause IN ('SIGN_IN', 'SIGN_OUT', 'AGENT', 'SUPERVISOR', 'MISSED_NOTIFICATION', 'PRESENCE_EDITED', 'CAPACITY'));

CREATE OR REPLACE FUNCTION log_agent_presence_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT id, presence_id FROM new_rows EXCEPT SELECT id, presence_id FROM old_rows) THEN
        PERFORM lock_presence_change_order();
        INSERT INTO presence_change (sequence, agent_id, previous_presence_id, current_presence_id, cause, at, version)
        SELECT nextval('presence_change_sequence'), n.id, o.presence_id, n.presence_id, n.presence_cause, n.presence_since, n.version
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE o.presence_id <> n.presence_id;
        PERFORM pg_notify('presence_change', '');
    END IF;
    RETURN NULL;
END $$;

-- An edit of a presence's base status changes no agent's choice, so their versions stay; the change carries the
-- version they have.
CREATE OR REPLACE FUNCTION log_presence_base_status_edit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN agent a ON a.presence_id = n.id
               WHERE o.base_status <> n.base_status) THEN
        PERFORM lock_presence_change_order();
        INSERT INTO presence_change (sequence, agent_id, previous_presence_id, current_presence_id, cause, at, version)
        SELECT nextval('presence_change_sequence'), a.id, a.presence_id, a.presence_id, 'PRESENCE_EDITED', now(), a.version
        FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN agent a ON a.presence_id = n.id
        WHERE o.base_status <> n.base_status;
        PERFORM pg_notify('presence_change', '');
    END IF;
    RETURN NULL;
END $$;
