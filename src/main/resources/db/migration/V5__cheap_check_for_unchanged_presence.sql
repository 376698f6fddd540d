-- Routing writes agent rows too (last_offered_at), and the change-log trigger fires on those updates as well. Its
-- "did any presence change?" check joined the two transition tables, which the planner runs as a nested loop when the
-- answer is no: 1 000 re-offers cost 110 ms in the trigger alone, 10 000 cost seconds. EXCEPT is hashed: linear.
CREATE OR REPLACE FUNCTION log_agent_presence_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT id, presence_id FROM new_rows EXCEPT SELECT id, presence_id FROM old_rows) THEN
        PERFORM lock_presence_change_order();
        INSERT INTO presence_change (sequence, agent_id, previous_presence_id, current_presence_id, cause, at)
        SELECT nextval('presence_change_sequence'), n.id, o.presence_id, n.presence_id, n.presence_cause, n.presence_since
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE o.presence_id <> n.presence_id;
        PERFORM pg_notify('presence_change', '');
    END IF;
    RETURN NULL;
END $$;
