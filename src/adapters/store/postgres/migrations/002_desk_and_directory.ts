/**
 * The service desk's tables (hand-off cases, their counters, Teams conversations the bot may write
 * to first, reminders, re-confirmations), who set a PIN and when, and the tombstones of erased contacts.
 */
export const migration = {
  version: 2,
  name: 'service desk tables, PIN setter, erased contacts',
  sql: `
ALTER TABLE accounts ADD COLUMN pin_set_at timestamptz, ADD COLUMN pin_set_by text;
ALTER TABLE contacts ADD COLUMN erased text[], ADD COLUMN erased_at timestamptz;

CREATE TABLE handoff_cases (
  reference text PRIMARY KEY,
  reason text NOT NULL,
  uid text NOT NULL,
  verified boolean NOT NULL,
  channel text NOT NULL,
  language text NOT NULL,
  reach jsonb NOT NULL,
  steps jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  delivery jsonb NOT NULL,
  attempts integer NOT NULL,
  next_attempt_at timestamptz,
  delivered_at timestamptz,
  version bigint NOT NULL
);
CREATE INDEX handoff_cases_pending ON handoff_cases ((CASE WHEN delivered_at IS NULL THEN 'yes' END));
CREATE INDEX handoff_cases_delivered_at ON handoff_cases (delivered_at);

CREATE TABLE desk_counters (
  key text PRIMARY KEY,
  times timestamptz[] NOT NULL,
  last integer,
  expires_at timestamptz NOT NULL,
  version bigint NOT NULL
);
CREATE INDEX desk_counters_expires_at ON desk_counters (expires_at);

CREATE TABLE conversation_refs (
  key text PRIMARY KEY,
  uid text,
  reference jsonb NOT NULL,
  updated_at timestamptz NOT NULL,
  version bigint NOT NULL
);
CREATE INDEX conversation_refs_uid ON conversation_refs (uid);

CREATE TABLE reminders (
  uid text PRIMARY KEY,
  last_at timestamptz,
  previous_at timestamptz,
  kind text,
  via text,
  status text,
  count integer NOT NULL,
  stopped_at timestamptz,
  updated_at timestamptz NOT NULL,
  version bigint NOT NULL
);

CREATE TABLE contact_confirmations (
  uid text PRIMARY KEY,
  confirmed_at timestamptz NOT NULL,
  version bigint NOT NULL
);
`,
};
