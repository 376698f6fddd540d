-- Third edition: a rejection can move the agent (cause OFFER_REJECTED). Writers lock an agent row, then (through the
-- trigger) the change log: so does this migration (see V9).
LOCK TABLE agent IN ACCESS EXCLUSIVE MODE;
ALTER TABLE agent DROP CONSTRAINT agent_presence_cause_check;
ALTER TABLE agent ADD CONSTRAINT agent_presence_cause_check CHECK (presence_cause IN
    ('SIGN_IN', 'SIGN_OUT', 'AGENT', 'SUPERVISOR', 'MISSED_NOTIFICATION', 'CAPACITY', 'TIME_LIMIT', 'DISCONNECTED',
     'OFFER_REJECTED'));
ALTER TABLE presence_change DROP CONSTRAINT presence_change_cause_check;
ALTER TABLE presence_change ADD CONSTRAINT presence_change_cause_check CHECK (cause IN ('SIGN_IN', 'SIGN_OUT', 'AGENT',
    'SUPERVISOR', 'MISSED_NOTIFICATION', 'PRESENCE_EDITED', 'CAPACITY', 'TIME_LIMIT', 'DISCONNECTED', 'OFFER_REJECTED'));
