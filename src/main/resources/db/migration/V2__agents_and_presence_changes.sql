-- Agents, their workstream memberships, and the append-only log of every presence change.
CREATE TABLE agent (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id             text        NOT NULL CONSTRAINT agent_user_id_key UNIQUE CHECK (char_length(user_id) BETWEEN 1 AND 200),
    name                text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    default_presence_id bigint      REFERENCES presence (id),
    signed_in           boolean     NOT NULL DEFAULT false,
    presence_id         bigint      NOT NULL DEFAULT 6 REFERENCES presence (id),
    presence_since      timestamptz NOT NULL DEFAULT now(),
    -- Why the agent is in presence_id; the change log trigger below copies it into each change.
    presence_cause      text        CHECK (presence_cause IN ('SIGN_IN', 'SIGN_OUT', 'AGENT', 'SUPERVISOR', 'MISSED_NOTIFICATION'))
);
CREATE INDEX agent_presence_idx ON agent (presence_id);
CREATE INDEX agent_default_presence_idx ON agent (default_presence_id);

-- Filled through createAgent/updateAgent workstreamIds; the workstream migration adds the foreign key.
CREATE TABLE agent_workstream (
    workstream_id bigint NOT NULL,
    agent_id      bigint NOT NULL REFERENCES agent (id) ON DELETE CASCADE,
    PRIMARY KEY (workstream_id, agent_id)
);
CREATE INDEX agent_workstream_agent_idx ON agent_workstream (agent_id);

CREATE SEQUENCE presence_change_sequence;

CREATE TABLE presence_change (
    sequence             bigint      PRIMARY KEY,
    agent_id             bigint      NOT NULL REFERENCES agent (id) ON DELETE CASCADE,
    previous_presence_id bigint      REFERENCES presence (id),
    current_presence_id  bigint      NOT NULL REFERENCES presence (id),
    cause                text        NOT NULL CHECK (cause IN ('SIGN_IN', 'SIGN_OUT', 'AGENT', 'SUPERVISOR', 'MISSED_NOTIFICATION', 'PRESENCE_EDITED')),
    at                   timestamptz NOT NULL
);
CREATE INDEX presence_change_agent_idx ON presence_change (agent_id, sequence DESC);

-- Every change of an agent's presence is logged by the database itself, in the transaction that makes it, whichever
-- code path made it. Readers page through the log by sequence ("everything after S"), which is only gapless if
-- sequences are handed out in commit order: a bigserial is taken at insert, and two transactions may commit out of
-- order. So each writer takes one transaction-scoped advisory lock right before numbering its changes and keeps it
-- until its commit is visible. Statement-level triggers take it after the statement's row locks, and group commit
-- makes it one lock per batch. One NOTIFY per transaction (PostgreSQL folds identical payloads) tells every replica
-- to read the log; the payload carries nothing, the table is the source of truth.
CREATE FUNCTION lock_presence_change_order() RETURNS void LANGUAGE sql AS
    $$ SELECT pg_advisory_xact_lock(7072657365) $$;  -- any fixed key, taken nowhere else

CREATE FUNCTION log_agent_presence_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE o.presence_id <> n.presence_id) THEN
        PERFORM lock_presence_change_order();
        INSERT INTO presence_change (sequence, agent_id, previous_presence_id, current_presence_id, cause, at)
        SELECT nextval('presence_change_sequence'), n.id, o.presence_id, n.presence_id, n.presence_cause, n.presence_since
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE o.presence_id <> n.presence_id;
        PERFORM pg_notify('presence_change', '');
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER agent_presence_changes AFTER UPDATE ON agent
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_agent_presence_changes();

-- Editing a custom presence's base status changes the effective status of every agent in it.
CREATE FUNCTION log_presence_base_status_edit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN agent a ON a.presence_id = n.id
               WHERE o.base_status <> n.base_status) THEN
        PERFORM lock_presence_change_order();
        INSERT INTO presence_change (sequence, agent_id, previous_presence_id, current_presence_id, cause, at)
        SELECT nextval('presence_change_sequence'), a.id, a.presence_id, a.presence_id, 'PRESENCE_EDITED', now()
        FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN agent a ON a.presence_id = n.id
        WHERE o.base_status <> n.base_status;
        PERFORM pg_notify('presence_change', '');
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER presence_base_status_edits AFTER UPDATE ON presence
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION log_presence_base_status_edit();
