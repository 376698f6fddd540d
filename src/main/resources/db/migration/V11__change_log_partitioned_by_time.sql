-- History kept for a set time (PRESENCE_HISTORY_RETENTION): the change log becomes a table partitioned by the time
-- of each change, so that old history goes a whole partition at a time (detached, then dropped), never row by row.
--
-- No row is copied: the existing table becomes the first partition, holding everything up to this migration, and a
-- bridge partition takes the changes from then until the service (ChangeRetention) has made partitions of its own
-- span. Rolling: the previous release writes only through the triggers, which insert into presence_change by name,
-- and reads by sequence, which the partitioned table serves the same way; while this runs, its writes wait for the
-- lock, then go on into the new table.
-- The partitioned table has no foreign keys: adding them (or merging the old table's into them when it is attached)
-- locks agent and presence, which the previous release's writers lock before the change log — a deadlock under load
-- (RollingUpgradeIT saw it). Presences are never deleted (only marked), and deleting an agent deletes their changes
-- (AgentRepository.delete); the attached old table keeps its own foreign keys.
ALTER TABLE presence_change RENAME TO presence_change_before_partitioning;
-- its key becomes the parent's (sequence, at), built when it is attached
ALTER TABLE presence_change_before_partitioning DROP CONSTRAINT presence_change_pkey;
ALTER INDEX presence_change_agent_idx RENAME TO presence_change_before_partitioning_agent_idx;

CREATE TABLE presence_change (
    sequence             bigint      NOT NULL,
    agent_id             bigint      NOT NULL,
    previous_presence_id bigint,
    current_presence_id  bigint      NOT NULL,
    cause                text        NOT NULL,
    at                   timestamptz NOT NULL,
    version              integer     NOT NULL DEFAULT 1,
    base_status          text        NOT NULL,
    signed_in            boolean     NOT NULL,
    -- a partitioned table's key must hold its partition key; sequences are unique anyway (one sequence hands them out)
    PRIMARY KEY (sequence, at),
    -- the attached table's checks have these names: a partition must have every check of its parent
    CONSTRAINT presence_change_base_status_check CHECK (base_status IN ('AVAILABLE', 'BUSY', 'BUSY_DND', 'AWAY', 'OFFLINE')),
    CONSTRAINT presence_change_cause_check CHECK (cause IN ('SIGN_IN', 'SIGN_OUT', 'AGENT', 'SUPERVISOR',
        'MISSED_NOTIFICATION', 'PRESENCE_EDITED', 'CAPACITY', 'TIME_LIMIT', 'DISCONNECTED'))
) PARTITION BY RANGE (at);
CREATE INDEX presence_change_agent_idx ON presence_change (agent_id, sequence DESC);
-- Reports read one agent's changes by time (the last one before a period opens it, the rest fall inside it) from this
-- index alone: index-only scans, no visit to the rows (a day of 10 000 agents: 2.1 s → 1.2 s, BENCHMARKS.md).
CREATE INDEX presence_change_agent_at_idx ON presence_change (agent_id, at)
    INCLUDE (sequence, current_presence_id, base_status, signed_in, cause);

-- Everything so far, up to this moment (taken after the rename's lock, so no change committed before it is later).
DO $$
DECLARE
    upto timestamptz := clock_timestamp();
    bridge_end timestamptz := date_trunc('hour', clock_timestamp()) + interval '${history_bridge}';
BEGIN
    EXECUTE format('ALTER TABLE presence_change ATTACH PARTITION presence_change_before_partitioning FOR VALUES FROM (MINVALUE) TO (%L)', upto);
    EXECUTE format('CREATE TABLE presence_change_bridge PARTITION OF presence_change FOR VALUES FROM (%L) TO (%L)',
                   upto, greatest(bridge_end, upto + interval '1 second'));
END $$;

-- The sequence after which changes have been removed: a resume (presenceChanged, replayWebhook) from before it is
-- refused instead of skipping what is gone.
CREATE TABLE presence_change_removed (
    only_row        boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    through         bigint  NOT NULL,
    removed_at      timestamptz NOT NULL
);
