-- Third edition, wrap-up and rejecting with a reason: what a workstream says about them. One table per migration:
-- each migration locks only tables that the previous release's writers never hold together with another one, so a
-- rolling upgrade cannot deadlock with them.
ALTER TABLE workstream
    ADD COLUMN wrap_up_seconds          integer NOT NULL DEFAULT 0 CHECK (wrap_up_seconds BETWEEN 0 AND 3600),
    -- a presence that a workstream names cannot be deleted (CONFLICT): no ON DELETE action
    ADD COLUMN presence_after_reject_id bigint CONSTRAINT workstream_presence_after_reject_fk REFERENCES presence (id);
CREATE INDEX workstream_presence_after_reject_idx ON workstream (presence_after_reject_id) WHERE presence_after_reject_id IS NOT NULL;
