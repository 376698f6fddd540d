-- Offers of work items to agents, and what routing needs to choose the agent.
ALTER TABLE agent ADD COLUMN last_offered_at timestamptz;

-- Eligibility walks signed-in agents, longest-waiting first, and stops at the first one that belongs to the workstream,
-- is in an allowed base status and has no pending offer (agent_workstream's primary key and the pending-offer index
-- answer those probes).
CREATE INDEX agent_routing_idx ON agent (last_offered_at NULLS FIRST, id) WHERE signed_in;

CREATE TABLE offer (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workstream_id bigint      NOT NULL REFERENCES workstream (id) ON DELETE CASCADE,
    agent_id      bigint      NOT NULL REFERENCES agent (id) ON DELETE CASCADE,
    work_item     text        NOT NULL CHECK (char_length(work_item) BETWEEN 1 AND 500),
    state         text        NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'ACCEPTED', 'REJECTED', 'EXPIRED')),
    offered_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    responded_at  timestamptz
);
-- An agent has at most one pending offer: routing relies on it, and the database enforces it against every race.
CREATE UNIQUE INDEX offer_one_pending_per_agent ON offer (agent_id) WHERE state = 'PENDING';
-- A work item is pending with at most one agent of a workstream at a time.
CREATE UNIQUE INDEX offer_one_pending_per_item ON offer (workstream_id, work_item) WHERE state = 'PENDING';
-- The expiry sweep reads pending offers by expiry.
CREATE INDEX offer_pending_expiry_idx ON offer (expires_at) WHERE state = 'PENDING';
CREATE INDEX offer_work_item_idx ON offer (work_item, workstream_id);
CREATE INDEX offer_agent_idx ON offer (agent_id, id);

-- Every replica hears of new and answered offers; the payload is the offer ids (in chunks that fit a notification),
-- and each replica loads them once for all its offerUpdates subscribers.
CREATE FUNCTION notify_offer_updates() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    chunk text;
BEGIN
    FOR chunk IN
        SELECT string_agg(id::text, ',') FROM (
            SELECT n.id, (row_number() OVER (ORDER BY n.id) - 1) / 500 AS part FROM new_rows n
        ) numbered GROUP BY part
    LOOP
        PERFORM pg_notify('offer_update', chunk);
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER offer_inserts AFTER INSERT ON offer REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_offer_updates();
CREATE TRIGGER offer_updates AFTER UPDATE ON offer REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_offer_updates();
