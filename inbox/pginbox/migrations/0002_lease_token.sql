-- pginbox schema, version 2: a lease token per claim (fencing), and
-- timestamps taken from the database's clock.
ALTER TABLE veriff_inbox.deliveries ADD COLUMN lease_token text NOT NULL DEFAULT '';
ALTER TABLE veriff_inbox.deliveries ALTER COLUMN created_at SET DEFAULT now();
ALTER TABLE veriff_inbox.deliveries ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE veriff_inbox.deliveries ALTER COLUMN next_attempt SET DEFAULT now();
INSERT INTO veriff_inbox.schema_version (version) VALUES (2);
