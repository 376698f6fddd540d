-- Presence changes are the hot write; finding the agents in a given presence is a rare admin read (deletePresence's
-- in-use check, a custom presence's base-status edit). Without indexes on the presence columns, and with room left
-- in each page, a presence change is a HOT update that writes no index entry at all: the sweep's 10 000 moves to
-- Inactive took half the time in the benchmark. The rare reads scan the table (about 10 ms at 100 000 agents).
DROP INDEX agent_presence_idx;
DROP INDEX agent_default_presence_idx;
ALTER TABLE agent SET (fillfactor = 80);
