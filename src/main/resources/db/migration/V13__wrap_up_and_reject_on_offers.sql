-- Third edition: an offer can be in wrap-up (until wrap_up_until) and remembers why it was rejected.
ALTER TABLE offer
    ADD COLUMN reject_reason  text CHECK (char_length(reject_reason) BETWEEN 1 AND 200),
    ADD COLUMN wrap_up_until  timestamptz,
    -- when completeWork began the wrap-up (for the wrap-up duration metric)
    ADD COLUMN wrap_up_started_at timestamptz,
    DROP CONSTRAINT offer_state_check,
    ADD CONSTRAINT offer_state_check CHECK (state IN ('PENDING', 'ACCEPTED', 'REJECTED', 'EXPIRED', 'COMPLETED', 'WRAP_UP'));
-- Routing asks, per candidate, whether the agent is wrapping up; the wrap-up sweep reads them by their end.
CREATE INDEX offer_wrap_up_agent_idx ON offer (agent_id) WHERE state = 'WRAP_UP';
CREATE INDEX offer_wrap_up_until_idx ON offer (wrap_up_until) WHERE state = 'WRAP_UP';
