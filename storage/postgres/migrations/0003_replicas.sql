-- What several replicas need besides the shared data: the durable inbox
-- of Slack envelopes and the write probe of /readyz.
--
-- inbox holds envelopes acknowledged to Slack and not yet worked on, of
-- every replica. owner is the inbox (one per process) that holds the
-- entry; an inbox holds a session advisory lock on its owner id for as
-- long as it is open, so an owner whose lock can be taken is gone, and
-- its entries are adopted by a live one (see inbox.go). seq keeps arrival
-- order across owners; record is opaque (the bot's JSON).
CREATE TABLE inbox (
	seq    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	owner  text COLLATE "C" NOT NULL,
	record bytea NOT NULL
);
CREATE INDEX inbox_owner ON inbox (owner, seq);

-- One row, rewritten by every write probe: a write that must reach the
-- disk (not only the session) for /readyz to pass.
CREATE TABLE write_probe (
	one boolean PRIMARY KEY DEFAULT true CHECK (one),
	at  timestamptz NOT NULL
);
