-- The first layout. Every record is kept whole in doc, in package coach's
-- JSON encoding (the one the bbolt store and the exports use), so a field
-- added to a coach type is kept without a migration. The columns beside
-- doc are the keys records are found and ordered by; they are written
-- from the same value in the same statement. Keys are COLLATE "C" so that
-- results come in the byte order the bbolt store returns them in.

CREATE TABLE people (
	id      text COLLATE "C" PRIMARY KEY,
	manager text COLLATE "C" NOT NULL DEFAULT '', -- "" for none
	doc     json NOT NULL
);
-- A manager's reports; the reporting chain of the cycle check.
CREATE INDEX people_manager ON people (manager, id) WHERE manager <> '';

CREATE TABLE invitations (
	report  text COLLATE "C" NOT NULL,
	manager text COLLATE "C" NOT NULL,
	doc     json NOT NULL,
	PRIMARY KEY (report, manager)
);
CREATE INDEX invitations_manager ON invitations (manager, report);

CREATE SEQUENCE rating_ids;
CREATE TABLE ratings (
	subject text COLLATE "C" NOT NULL,
	area    text COLLATE "C" NOT NULL,
	at_ns   bigint NOT NULL, -- unix nanoseconds
	id      bigint NOT NULL,
	rater   text COLLATE "C" NOT NULL,
	doc     json NOT NULL,
	PRIMARY KEY (subject, area, at_ns, id)
);
CREATE INDEX ratings_rater ON ratings (rater);

CREATE SEQUENCE challenge_ids;
CREATE TABLE challenges (
	subject text COLLATE "C" NOT NULL,
	id      bigint NOT NULL,
	author  text COLLATE "C" NOT NULL, -- Challenge.By
	status  text NOT NULL,
	doc     json NOT NULL,
	PRIMARY KEY (subject, id)
);
CREATE INDEX challenges_author ON challenges (author);

CREATE TABLE plans (
	owner text COLLATE "C" PRIMARY KEY,
	doc   json NOT NULL
);

CREATE TABLE plan_history (
	owner   text COLLATE "C" NOT NULL,
	version integer NOT NULL,
	doc     json NOT NULL,
	PRIMARY KEY (owner, version)
);

-- Ids of Slack view submissions and events already processed: the unique
-- key makes a repeat a no-op however many replicas see it.
CREATE TABLE submissions (
	id text COLLATE "C" PRIMARY KEY,
	at timestamptz NOT NULL
);

-- The delivery ledger: one row per (person, cadence, period), so two
-- writers can't owe or send the same message twice.
CREATE TABLE ledger (
	person  text COLLATE "C" NOT NULL,
	cadence text COLLATE "C" NOT NULL,
	period  text COLLATE "C" NOT NULL,
	state   text NOT NULL,
	doc     json NOT NULL,
	PRIMARY KEY (person, cadence, period)
);
-- The work a restart must finish.
CREATE INDEX ledger_open ON ledger (person, cadence, period) WHERE state IN ('queued', 'attempted');

CREATE SEQUENCE answer_ids;
CREATE TABLE answers (
	person text COLLATE "C" NOT NULL,
	id     bigint NOT NULL,
	doc    json NOT NULL,
	PRIMARY KEY (person, id)
);

CREATE TABLE colours (
	person text COLLATE "C" NOT NULL,
	month  text COLLATE "C" NOT NULL,
	theme  text COLLATE "C" NOT NULL,
	doc    json NOT NULL,
	PRIMARY KEY (person, month, theme)
);

CREATE TABLE preps (
	viewer  text COLLATE "C" NOT NULL,
	subject text COLLATE "C" NOT NULL,
	at_ns   bigint NOT NULL,
	PRIMARY KEY (viewer, subject)
);
CREATE INDEX preps_subject ON preps (subject);
