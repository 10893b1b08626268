-- pginbox schema, version 1: deliveries and watched sessions.
-- Written for the default schema veriff_inbox; pginbox.Migrate applies it
-- to the schema WithSchema names. Teams running their own migration tool
-- may apply these files in order instead (replace veriff_inbox if needed).
CREATE SCHEMA IF NOT EXISTS veriff_inbox;
CREATE TABLE IF NOT EXISTS veriff_inbox.schema_version (
	version    integer PRIMARY KEY,
	applied_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE veriff_inbox.deliveries (
	key           text PRIMARY KEY,
	kind          text NOT NULL,
	session_id    text NOT NULL DEFAULT '',
	body          bytea,
	state         text NOT NULL,
	attempts      integer NOT NULL DEFAULT 0,
	lease_owner   text NOT NULL DEFAULT '',
	lease_expires timestamptz,
	next_attempt  timestamptz NOT NULL,
	last_error    text NOT NULL DEFAULT '',
	created_at    timestamptz NOT NULL,
	updated_at    timestamptz NOT NULL,
	done_at       timestamptz
);
CREATE INDEX deliveries_due ON veriff_inbox.deliveries (next_attempt) WHERE state IN ('pending', 'leased');
CREATE INDEX deliveries_state ON veriff_inbox.deliveries (state, created_at);
CREATE INDEX deliveries_session ON veriff_inbox.deliveries (session_id);
CREATE TABLE veriff_inbox.watched_sessions (
	session_id text PRIMARY KEY,
	checks     integer NOT NULL DEFAULT 0,
	next_check timestamptz NOT NULL,
	outcome    text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL,
	ended_at   timestamptz
);
CREATE INDEX watched_due ON veriff_inbox.watched_sessions (next_check) WHERE outcome = '';
INSERT INTO veriff_inbox.schema_version (version) VALUES (1);
