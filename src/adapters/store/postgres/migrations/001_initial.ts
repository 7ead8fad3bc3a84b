/**
 * The first schema: one table per record type of the store port, a column per field, indexes on
 * everything a turn or the purge looks up; `version` is bumped by every write (compare-and-set).
 * Times are timestamptz. Only conversation state, which the bot never looks inside, is jsonb (and
 * an audit event's masked details, json).
 */
export const migration = {
  version: 1,
  name: 'initial schema',
  sql: `
CREATE TABLE accounts (
  uid text PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL,
  upn text,
  aad_object_id text,
  pin_hash text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version bigint NOT NULL
);
CREATE INDEX accounts_upn ON accounts (lower(upn));
CREATE INDEX accounts_email ON accounts (lower(email));
CREATE INDEX accounts_aad_object_id ON accounts (lower(aad_object_id));

CREATE TABLE contacts (
  uid text PRIMARY KEY,
  email text,
  mobile text,
  source text NOT NULL,
  verified_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version bigint NOT NULL
);
CREATE INDEX contacts_email ON contacts (lower(email));
CREATE INDEX contacts_mobile ON contacts (mobile);

CREATE TABLE preferences (
  uid text PRIMARY KEY,
  language text NOT NULL,
  updated_at timestamptz NOT NULL,
  version bigint NOT NULL
);

CREATE TABLE challenges (
  id text PRIMARY KEY,
  uid text NOT NULL,
  purpose text NOT NULL,
  channel text NOT NULL,
  target text NOT NULL,
  code_mac text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  wrong_tries integer NOT NULL,
  status text NOT NULL,
  delivery text NOT NULL,
  version bigint NOT NULL
);
CREATE INDEX challenges_uid ON challenges (uid);
CREATE INDEX challenges_target ON challenges (target);
CREATE INDEX challenges_expires_at ON challenges (expires_at);

CREATE TABLE links (
  token_hash text PRIMARY KEY,
  uid text NOT NULL,
  purpose text NOT NULL,
  via text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  status text NOT NULL,
  delivery text NOT NULL,
  rejected_pins integer,
  version bigint NOT NULL
);
CREATE INDEX links_uid ON links (uid);
CREATE INDEX links_expires_at ON links (expires_at);

CREATE TABLE throttles (
  key text PRIMARY KEY,
  sends timestamptz[] NOT NULL,
  consecutive_failures integer NOT NULL,
  paused_until timestamptz,
  refused_at timestamptz,
  clock_hour_start timestamptz,
  clock_hour_count integer,
  updated_at timestamptz NOT NULL,
  version bigint NOT NULL
);
CREATE INDEX throttles_updated_at ON throttles (updated_at);

CREATE TABLE bot_state (
  key text PRIMARY KEY,
  etag text NOT NULL,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL,
  version bigint NOT NULL
);
CREATE INDEX bot_state_updated_at ON bot_state (updated_at);

CREATE TABLE sms_opt_outs (
  number text PRIMARY KEY,
  opted_out_at timestamptz NOT NULL,
  version bigint NOT NULL
);

CREATE TABLE sms_deliveries (
  sid text PRIMARY KEY,
  expires_at timestamptz NOT NULL,
  version bigint NOT NULL
);
CREATE INDEX sms_deliveries_expires_at ON sms_deliveries (expires_at);

CREATE TABLE audit_events (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  event text NOT NULL,
  uid text,
  channel text,
  outcome text NOT NULL,
  -- json, not jsonb: it keeps the order of the details as written, so \`admin audit\` prints what the file would.
  detail json
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_uid ON audit_events (uid, id);

-- What \`npm run admin -- store copy --to postgres\` copied, so that running it again is safe.
CREATE TABLE store_copies (
  source text PRIMARY KEY,
  copied_at timestamptz NOT NULL,
  counts jsonb NOT NULL
);
`,
};
