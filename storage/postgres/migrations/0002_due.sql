-- The due index and the retention fold (the bbolt store's schema v3).
--
-- due holds, per person and cadence, when the person is next due, in unix
-- nanoseconds. A row with cadence '' is a mark: "work this person's due
-- times out again"; its at_ns is a small sequence number (due_state.seq at
-- the time), long past, so the next tick reads it. See due.go.
CREATE TABLE due (
	person  text COLLATE "C" NOT NULL,
	cadence text COLLATE "C" NOT NULL, -- '' for a mark
	at_ns   bigint NOT NULL,
	PRIMARY KEY (person, cadence)
);
CREATE INDEX due_at ON due (at_ns, person);

-- One row: the mark sequence (bumped by every transaction that marks,
-- under the row's lock, so marks commit in sequence order) and the
-- schedule rules the index was built with (ResetDue).
CREATE TABLE due_state (
	one   boolean PRIMARY KEY DEFAULT true CHECK (one),
	seq   bigint NOT NULL DEFAULT 0,
	rules text NOT NULL DEFAULT ''
);
INSERT INTO due_state DEFAULT VALUES;

-- Ledger entries folded by the retention rule: one count per person,
-- cadence and quarter ("2025-Q3", of the entries' due time in UTC).
CREATE TABLE ledger_quarters (
	person   text COLLATE "C" NOT NULL,
	cadence  text COLLATE "C" NOT NULL,
	quarter  text COLLATE "C" NOT NULL,
	sent     integer NOT NULL DEFAULT 0,
	answered integer NOT NULL DEFAULT 0,
	skipped  integer NOT NULL DEFAULT 0,
	PRIMARY KEY (person, cadence, quarter)
);
