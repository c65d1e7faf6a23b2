/**
 * The hub's schema, as numbered migrations applied in order, each in its own transaction,
 * recorded in schema_migrations. The same SQL runs on PGlite and on PostgreSQL.
 *
 * ONLY EVER APPEND to MIGRATIONS: a migration that has run somewhere is never edited,
 * reordered or removed. A change is a new migration at the end.
 */
import { takeSyncLock, type Database } from './database';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'stations, events, cases, audience',
    sql: `
      -- the registered stations; a station is never deleted, only revoked
      CREATE TABLE stations (
        station_id  text PRIMARY KEY,
        name        text NOT NULL,
        role        text NOT NULL,
        district    text NOT NULL,
        department  text,
        created_at  timestamptz NOT NULL DEFAULT now(),
        revoked_at  timestamptz
      );

      -- bearer tokens, stored as sha256 hex of the token; rotating revokes the old ones
      CREATE TABLE station_tokens (
        token_hash  text PRIMARY KEY,
        station_id  text NOT NULL REFERENCES stations (station_id),
        created_at  timestamptz NOT NULL DEFAULT now(),
        revoked_at  timestamptz
      );
      CREATE INDEX station_tokens_station ON station_tokens (station_id);

      -- the log: every accepted event, numbered by hub_seq in commit order
      CREATE TABLE events (
        hub_seq      bigint PRIMARY KEY,
        event_id     text NOT NULL UNIQUE,
        case_id      text NOT NULL,
        station_id   text NOT NULL,
        seq          bigint NOT NULL,
        type         text NOT NULL,
        at           text NOT NULL,
        -- canonical JSON of the validated event (src-common/domain/canonical-json.ts)
        content      text NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now(),
        UNIQUE (station_id, seq)
      );
      CREATE INDEX events_case ON events (case_id, hub_seq);

      -- one row per case the hub has heard of; origin_* from the event that opened it
      -- (case.created, or shift.handover for a handover sheet)
      CREATE TABLE cases (
        case_id            text PRIMARY KEY,
        first_hub_seq      bigint NOT NULL,
        origin_station_id  text,
        origin_district    text,
        origin_hub_seq     bigint
      );

      -- every hand-over target named by a transfer (to) or an assignment (lead, assisting)
      CREATE TABLE handover_targets (
        hub_seq     bigint NOT NULL,
        ordinal     integer NOT NULL,
        case_id     text NOT NULL,
        kind        text NOT NULL,
        station_id  text,
        department  text,
        PRIMARY KEY (hub_seq, ordinal)
      );
      CREATE INDEX handover_targets_case ON handover_targets (case_id);

      -- who may see which case, from which hub_seq on (see src-hub/sync/audience.ts)
      CREATE TABLE case_audience (
        station_id   text NOT NULL,
        case_id      text NOT NULL,
        granted_seq  bigint NOT NULL,
        PRIMARY KEY (station_id, case_id)
      );
      CREATE INDEX case_audience_grant ON case_audience (station_id, granted_seq);

      -- per station: every seq up to contiguous_seq is held
      CREATE TABLE station_progress (
        station_id      text PRIMARY KEY,
        contiguous_seq  bigint NOT NULL
      );

      -- events refused at push (conflicting content, seq taken, invalid): kept for audit
      CREATE TABLE refused_events (
        id           bigserial PRIMARY KEY,
        received_at  timestamptz NOT NULL DEFAULT now(),
        station_id   text NOT NULL,
        event_id     text,
        code         text NOT NULL,
        reason       text NOT NULL,
        content      text NOT NULL
      );
      CREATE INDEX refused_events_event ON refused_events (event_id);
    `,
  },
  {
    version: 2,
    name: 'furthest pull cursor handed to each station',
    sql: `
      -- the furthest pull cursor (pos, hub_seq: see src-hub/sync/cursor.ts) the hub has
      -- answered a station with: a pushed event is judged by what its station could know
      -- (src-hub/sync/knowledge.ts), never by more than it was handed
      CREATE TABLE station_pull (
        station_id  text PRIMARY KEY,
        pos         bigint NOT NULL,
        hub_seq     bigint NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      );

      -- the station's seq of a refused event, where it had one: a refused seq is settled (the
      -- station will not send it again), so the events after it can be judged
      ALTER TABLE refused_events ADD COLUMN seq bigint;
      CREATE INDEX refused_events_station_seq ON refused_events (station_id, seq);
    `,
  },
  {
    version: 3,
    name: 'working-day calendar years loaded at the hub',
    sql: `
      -- each load of a year's holiday schedule (src-common/domain/calendar.ts), appended:
      -- a year's schedule in force is its latest load; earlier loads stay as its history.
      -- seq is the calendar's revision, handed to the stations (GET /api/v1/calendar)
      CREATE TABLE calendar_years (
        seq        bigserial PRIMARY KEY,
        year       integer NOT NULL,
        body       text NOT NULL,
        loaded_by  text NOT NULL,
        loaded_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX calendar_years_year ON calendar_years (year, seq);
    `,
  },
  {
    version: 4,
    name: 'event, case and station ids compared as bytes',
    sql: `
      -- Ids are opaque ASCII codes (ULIDs, station codes: src-common/domain), only ever
      -- compared for equality and kept in b-tree keys. Under the database's collation every
      -- comparison of two ids went through the C library's locale collation (strcoll, after
      -- copying both); "C" compares their bytes. A push and a pull compare ids thousands of
      -- times (the log's unique event ids, the cases and grants of a batch): measured on
      -- PostgreSQL with a C.UTF-8 database, the server's CPU an ingested event fell ~10 %;
      -- with en_US.UTF-8, the usual default, collation costs more. Nothing stored changes:
      -- the columns keep type text and every value; only their indexes are built again (the
      -- order of ASCII ids is the same under both). Unique keys stay as they were: "C" is
      -- deterministic, as the default collations are.
      ALTER TABLE events
        ALTER COLUMN event_id TYPE text COLLATE "C",
        ALTER COLUMN case_id TYPE text COLLATE "C",
        ALTER COLUMN station_id TYPE text COLLATE "C";
      ALTER TABLE cases
        ALTER COLUMN case_id TYPE text COLLATE "C";
      ALTER TABLE handover_targets
        ALTER COLUMN case_id TYPE text COLLATE "C",
        ALTER COLUMN station_id TYPE text COLLATE "C";
      ALTER TABLE case_audience
        ALTER COLUMN station_id TYPE text COLLATE "C",
        ALTER COLUMN case_id TYPE text COLLATE "C";
      ALTER TABLE station_progress
        ALTER COLUMN station_id TYPE text COLLATE "C";
      ALTER TABLE station_pull
        ALTER COLUMN station_id TYPE text COLLATE "C";
      ALTER TABLE refused_events
        ALTER COLUMN station_id TYPE text COLLATE "C",
        ALTER COLUMN event_id TYPE text COLLATE "C";
    `,
  },
];

export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const applied: number[] = [];
  for (const m of migrations) {
    const ran = await db.transaction(async (tx) => {
      // one migrator at a time (two hubs starting together on one PostgreSQL)
      await takeSyncLock(tx);
      await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version     integer PRIMARY KEY,
        name        text NOT NULL,
        applied_at  timestamptz NOT NULL DEFAULT now()
      )`);
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (done.length > 0) return false;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      return true;
    });
    if (ran) applied.push(m.version);
  }
  return applied;
}
