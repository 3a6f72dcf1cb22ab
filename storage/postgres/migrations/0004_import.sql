-- A copy of a bbolt database into this one (microcoach migrate, Import):
-- at most one row. Every batch of records copied updates done in its own
-- transaction, so a copy that was interrupted continues where it stopped,
-- and a copy of another source is refused.
CREATE TABLE import (
	one         boolean PRIMARY KEY DEFAULT true CHECK (one),
	source      text NOT NULL,   -- sha256 of the source's records
	label       text NOT NULL,   -- where they came from (the file's path), for messages
	done        bigint NOT NULL DEFAULT 0, -- records copied, in Import's order
	started_at  timestamptz NOT NULL DEFAULT now(),
	finished_at timestamptz      -- NULL until every record is in
);
