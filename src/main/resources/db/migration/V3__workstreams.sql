-- Workstreams: which base statuses may be offered work, and what happens to a missed offer.
CREATE TABLE workstream (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                  text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    type                  text        NOT NULL CHECK (type IN ('MESSAGING', 'RECORD', 'VOICE')),
    allowed_presences     text[]      NOT NULL CHECK (cardinality(allowed_presences) > 0
                                          AND allowed_presences <@ ARRAY['AVAILABLE', 'BUSY', 'BUSY_DND', 'AWAY']),
    missed_notifications  boolean     NOT NULL DEFAULT false,
    offer_timeout_seconds integer     NOT NULL DEFAULT 120 CHECK (offer_timeout_seconds BETWEEN 5 AND 3600),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX workstream_name_unique ON workstream (lower(name));

ALTER TABLE agent_workstream
    ADD CONSTRAINT agent_workstream_workstream_fk FOREIGN KEY (workstream_id) REFERENCES workstream (id) ON DELETE CASCADE;
