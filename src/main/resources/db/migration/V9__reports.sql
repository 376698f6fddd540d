-- Third edition, reports: each change row records what a report needs as it was at that moment (the presence's base
-- status and whether the agent was signed in), so that an edit of a presence changes later time only and no report
-- joins today's catalog. Agents get a creation time, for floorAt ("every agent created at or before at").
--
-- Rolling: the previous release's replicas write changes only through the triggers replaced here, so from this
-- migration's commit on, every change row is complete whichever release made it.

-- Writers lock an agent row, then (through the trigger) the change log: so does this migration, or a writer of the
-- previous release and the migration would each wait for the other (a deadlock, one of them aborted).
LOCK TABLE agent IN ACCESS EXCLUSIVE MODE;

ALTER TABLE presence_change
    ADD COLUMN base_status text,
    ADD COLUMN signed_in   boolean;

-- Rows written before this release: the base status the presence has now (the best that is known), and signed in
-- unless the change signed the agent out (a sign-out, a disconnect, or a miss that ends in Offline).
UPDATE presence_change c SET
    base_status = p.base_status,
    signed_in = NOT (c.cause IN ('SIGN_OUT', 'DISCONNECTED')
                     OR (c.cause = 'MISSED_NOTIFICATION' AND p.system_presence = 'OFFLINE'))
FROM presence p WHERE p.id = c.current_presence_id;

ALTER TABLE presence_change
    ALTER COLUMN base_status SET NOT NULL,
    ALTER COLUMN signed_in SET NOT NULL,
    ADD CONSTRAINT presence_change_base_status_check
        CHECK (base_status IN ('AVAILABLE', 'BUSY', 'BUSY_DND', 'AWAY', 'OFFLINE'));

-- (The index reports read by, one agent's changes by time, comes with the partitioned change log: V11.)

-- Null for the agents created before this release (floorAt takes their first change then): no agent row is rewritten,
-- so that the previous release's writers, waiting for the lock, find their rows as they left them.
ALTER TABLE agent ADD COLUMN created_at timestamptz;
ALTER TABLE agent ALTER COLUMN created_at SET DEFAULT now();

-- A sign-in or sign-out that keeps the presence (signing out while in Offline) is a change too: without it, a report
-- would count the signed-out time that follows as signed in.
CREATE OR REPLACE FUNCTION log_agent_presence_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT id, presence_id, signed_in FROM new_rows EXCEPT SELECT id, presence_id, signed_in FROM old_rows) THEN
        PERFORM lock_presence_change_order();
        INSERT INTO presence_change (sequence, agent_id, previous_presence_id, current_presence_id, cause, at, version,
                                     base_status, signed_in)
        SELECT nextval('presence_change_sequence'), n.id, o.presence_id, n.presence_id, n.presence_cause, n.presence_since,
               n.version, p.base_status, n.signed_in
        FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN presence p ON p.id = n.presence_id
        WHERE o.presence_id <> n.presence_id OR o.signed_in <> n.signed_in;
        PERFORM pg_notify('presence_change', '');
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION log_presence_base_status_edit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN agent a ON a.presence_id = n.id
               WHERE o.base_status <> n.base_status) THEN
        PERFORM lock_presence_change_order();
        INSERT INTO presence_change (sequence, agent_id, previous_presence_id, current_presence_id, cause, at, version,
                                     base_status, signed_in)
        SELECT nextval('presence_change_sequence'), a.id, a.presence_id, a.presence_id, 'PRESENCE_EDITED', now(), a.version,
               n.base_status, a.signed_in
        FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN agent a ON a.presence_id = n.id
        WHERE o.base_status <> n.base_status;
        PERFORM pg_notify('presence_change', '');
    END IF;
    RETURN NULL;
END $$;
