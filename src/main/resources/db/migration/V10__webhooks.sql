-- Third edition, webhooks: the change log is the outbox. Each webhook keeps its position in the log; a sender reads
-- the changes after it, posts them, and moves the position only once the receiver acknowledged them.
CREATE TABLE webhook (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url               text        NOT NULL CHECK (char_length(url) BETWEEN 1 AND 2000),
    -- The Standard Webhooks signing secret (whsec_…): needed in clear to sign, never returned by the API.
    secret            text        NOT NULL,
    -- A webhook filtering on a workstream keeps it from being deleted (the filter would silently widen or vanish).
    workstream_id     bigint      CONSTRAINT webhook_workstream_fk REFERENCES workstream (id),
    enabled           boolean     NOT NULL DEFAULT true,
    -- Changes with a greater sequence are still to be sent (or skipped, when the filter does not match them).
    position          bigint      NOT NULL,
    -- The last change the receiver acknowledged (or replayWebhook set), as the API shows it.
    delivered_through bigint,
    failures          integer     NOT NULL DEFAULT 0,
    last_error        text,
    last_attempt_at   timestamptz,
    -- The first failure since the last success: after PRESENCE_WEBHOOKS_DISABLE_AFTER of them the webhook is disabled.
    failing_since     timestamptz,
    next_attempt_at   timestamptz,
    -- The batch in flight, sent again byte for byte with the same webhook-id until it is acknowledged.
    pending_id        text,
    pending_body      text,
    pending_through   bigint,
    -- One sender per webhook across replicas: the replica holding the lease, renewed before every attempt.
    lease_holder      uuid,
    lease_until       timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    version           integer     NOT NULL DEFAULT 1
);
CREATE INDEX webhook_workstream_idx ON webhook (workstream_id);
