/**
 * The threepio event schema, version 2: the single source of truth.
 *
 * Every value here is a TypeBox schema and a TypeScript type of the same name. The JSON Schema
 * committed at `packages/core/schema.json` is generated from {@link Event} (see
 * `schema.test.ts`, which fails when the two drift apart).
 *
 * Readers skip unknown event types and unknown fields, so objects are left open
 * (`additionalProperties` is not restricted).
 */
import { Type, type Static } from '@sinclair/typebox'
import { SCHEMA_VERSION, TEST_STATUSES } from './schema-facts.js'
import {
  file,
  int,
  Location,
  mode,
  opt,
  project,
  reason,
  RunStatus,
  str,
  TestError,
  TestRef,
  TestStatus,
} from './schema-values.js'

export { SCHEMA_VERSION, TEST_STATUSES }
export {
  Counts,
  FILE_MODES,
  FileStatus,
  Location,
  RunStatus,
  TestError,
  TestRef,
  TestStatus,
  type FileMode,
} from './schema-values.js'

/** Fields every event carries. */
const envelope = {
  /** Position of the event in its events.jsonl: 1, 2, 3 … without gaps. */
  seq: Type.Integer({ minimum: 1, description: 'Position of the event in its file: 1, 2, 3 …' }),
  /** Milliseconds since the Unix epoch when the event was produced. */
  time: Type.Number({
    description: 'Milliseconds since the Unix epoch when the event was produced.',
  }),
  /** In a run merged from shards: the 1-based shard (run-start.shards) the event came from. */
  shard: opt(
    Type.Integer({
      minimum: 1,
      description: 'In a merged run: the 1-based shard (run-start.shards) the event came from.',
    }),
  ),
}

/** First event of every run. */
export const RunStartEvent = Type.Object(
  {
    type: Type.Literal('run-start'),
    ...envelope,
    /** Schema version: writers write {@link SCHEMA_VERSION}; readers also accept 1. */
    schema: Type.Union([Type.Literal(1), Type.Literal(SCHEMA_VERSION)], {
      description:
        'Schema version of this file: 2. Version 1 files (with counts in file-end and run-end) are read the same way; their counts are ignored.',
    }),
    /** The run id: UTC start time plus 8 random hex digits. */
    runId: str(
      'Run id: UTC start time plus 8 random hex digits, e.g. 2026-11-22_03-10-00_1a2b3c4d.',
    ),
    /** The test framework. */
    runner: Type.Object(
      {
        name: Type.Union([Type.Literal('jest'), Type.Literal('vitest'), Type.Literal('pytest')], {
          description: 'Test framework.',
        }),
        version: str('Version of the test framework.'),
      },
      { description: 'The test framework that ran the tests.' },
    ),
    /** The threepio package that wrote the events. */
    reporter: Type.Object(
      {
        name: str('Package that wrote the events, e.g. @threepio/jest-reporter.'),
        version: str('Its version.'),
      },
      { description: 'The threepio package that wrote the events.' },
    ),
    /** Absolute root directory; `file` fields are relative to it. */
    rootDir: str('Absolute root directory of the project; file fields are relative to it.'),
    /** Working directory of the process. */
    cwd: str('Working directory of the test process.'),
    /** Command line of the test process. */
    argv: Type.Array(Type.String(), { description: 'Command line of the test process.' }),
    /**
     * Process id of the writer. With `time`, it tells a live run from a dead one: a process with
     * this pid that started after `time` is another process.
     */
    pid: Type.Integer({
      description:
        'Process id of the process writing this file; a process with this pid that started after run-start.time is another one.',
    }),
    /** Test files the runner was given for this run, where it says before they start. */
    files: opt(
      int(
        'Test files the runner was given for this run (Vitest: its specifications; Jest: its test files), said before they start: an interrupted run tells the files that never started from this.',
      ),
    ),
    /** Present when the run is one round of a watch mode: it may cover only some files. */
    watch: opt(
      Type.Object(
        {
          round: Type.Integer({
            minimum: 1,
            description: '1 for the first run of the watch session, 2 for its first rerun, …',
          }),
          files: int('Test files the runner selected for this round.'),
        },
        {
          description:
            'A round of a watch session (Vitest --watch, Jest --watch): it may cover only the files the runner chose to rerun.',
        },
      ),
    ),
    /** A run merged from the runs of shards (`threepio merge`), in shard order. */
    shards: opt(
      Type.Array(
        Type.Object(
          {
            runId: str('Run id of the shard.'),
            runDir: str('Run directory the shard was read from.'),
            argv: Type.Array(Type.String(), { description: 'Command line of the shard.' }),
          },
          { description: 'One shard of a merged run.' },
        ),
        { description: 'The shards a merged run was made from (threepio merge), in order.' },
      ),
    ),
    /** The CI job that ran the tests, when one did. */
    ci: opt(
      Type.Object(
        {
          name: str('CI provider, e.g. GitHub Actions.'),
          job: opt(str('Job name or id, when the provider says.')),
          shard: opt(str('Shard of the suite this job ran, e.g. 2/3 (from --shard).')),
        },
        { description: 'The CI job that ran the tests.' },
      ),
    ),
  },
  { description: 'First event of a run.' },
)
export type RunStartEvent = Static<typeof RunStartEvent>

/** A test file started (or was first seen). */
export const FileStartEvent = Type.Object(
  { type: Type.Literal('file-start'), ...envelope, file, project, mode },
  { description: 'A test file started running.' },
)
export type FileStartEvent = Static<typeof FileStartEvent>

/** A test started. */
export const TestStartEvent = Type.Object(
  { type: Type.Literal('test-start'), ...envelope, file, project, mode, test: TestRef },
  { description: 'A test started running.' },
)
export type TestStartEvent = Static<typeof TestStartEvent>

/** Output printed by a test, a file, or the run. */
export const OutputEvent = Type.Object(
  {
    type: Type.Literal('output'),
    ...envelope,
    file: opt(file),
    project,
    mode,
    /** The test that printed it, when known. */
    testId: opt(str('Id of the test that printed it, when known.')),
    /** The stream it was printed on. */
    stream: Type.Union([Type.Literal('stdout'), Type.Literal('stderr')], {
      description: 'Stream it was printed on.',
    }),
    /** The text, as printed (newlines included). */
    text: str('The text as printed, newlines included. Long output is split over several events.'),
  },
  { description: 'Output printed while tests ran, attributed to a file and test when known.' },
)
export type OutputEvent = Static<typeof OutputEvent>

/** A test (or one attempt of it) finished. */
export const TestEndEvent = Type.Object(
  {
    type: Type.Literal('test-end'),
    ...envelope,
    file,
    project,
    mode,
    test: TestRef,
    status: TestStatus,
    /** How long the test took. */
    durationMs: opt(Type.Number({ minimum: 0, description: 'How long the test took, in ms.' })),
    /** 0-based attempt number when the test is retried; the last attempt counts. */
    attempt: opt(int('0-based attempt number of a retried test; the last attempt counts.')),
    /** Why it failed (for an error: the setup or teardown failure). */
    error: opt(TestError),
    /** Why it was skipped, todo or expected to fail. */
    reason,
    /**
     * A teardown that failed after the test itself had failed: both are kept (pytest reports
     * them as one failure and one error). The status stays `failed`.
     */
    teardownError: opt(TestError),
    /** Where the test is defined. */
    location: opt(Location),
  },
  { description: 'A test, or one attempt of a retried test, finished.' },
)
export type TestEndEvent = Static<typeof TestEndEvent>

/**
 * A test file finished. It carries facts, not counts: the reader derives the file's counts from
 * its test-end events and its status with {@link fileStatus}.
 */
export const FileEndEvent = Type.Object(
  {
    type: Type.Literal('file-end'),
    ...envelope,
    file,
    project,
    mode,
    /** How long the file took. */
    durationMs: opt(Type.Number({ minimum: 0, description: 'How long the file took, in ms.' })),
    /** Why the file failed to load, import or collect, or failed outside its tests. */
    error: opt(TestError),
    /** The file could not be loaded, imported or collected: none of its tests ran. */
    failedToLoad: opt(
      Type.Boolean({
        description:
          'The file could not be loaded, imported or collected, so none of its tests ran; error says why.',
      }),
    ),
    /** The file was skipped as a whole (pytest.importorskip, a module-level skip). */
    skipReason: opt(
      str('The file was skipped as a whole (a module-level skip); why, as the framework said.'),
    ),
  },
  { description: 'A test file finished: its facts; counts come from its test-end events.' },
)
export type FileEndEvent = Static<typeof FileEndEvent>

/** Last event of a finished run. */
export const RunEndEvent = Type.Object(
  {
    type: Type.Literal('run-end'),
    ...envelope,
    status: RunStatus,
    /** Wall time of the run. */
    durationMs: Type.Number({ minimum: 0, description: 'Wall time of the run, in ms.' }),
    /** Why the run ended this way (signal, bail, unhandled error, exit status). */
    reason: opt(str('Why the run ended this way: a signal, bail, unhandled errors, exit status.')),
  },
  { description: 'Last event of a run.' },
)
export type RunEndEvent = Static<typeof RunEndEvent>

/** threepio's own trouble (never a test's). */
export const DiagnosticEvent = Type.Object(
  {
    type: Type.Literal('diagnostic'),
    ...envelope,
    level: Type.Union([Type.Literal('warn'), Type.Literal('error')], {
      description: 'warn: something was degraded; error: something was lost.',
    }),
    /** What happened, what was expected, what to do. */
    message: str('What happened, what was expected, and what to do.'),
    /** A machine-readable code, e.g. ENOSPC. */
    code: opt(str('Machine-readable code, such as an errno name (ENOSPC).')),
  },
  { description: "threepio's own trouble, such as a write that failed." },
)
export type DiagnosticEvent = Static<typeof DiagnosticEvent>

/** Any event of schema version 2. */
export const Event = Type.Union(
  [
    RunStartEvent,
    FileStartEvent,
    TestStartEvent,
    OutputEvent,
    TestEndEvent,
    FileEndEvent,
    RunEndEvent,
    DiagnosticEvent,
  ],
  { description: 'One line of events.jsonl.' },
)
export type Event = Static<typeof Event>

/** The `type` of every known event. */
export type EventType = Event['type']

/** All known event types. */
export const EVENT_TYPES = [
  'run-start',
  'file-start',
  'test-start',
  'output',
  'test-end',
  'file-end',
  'run-end',
  'diagnostic',
] as const satisfies readonly EventType[]

/** The event of a given type. */
export type EventOf<T extends EventType> = Extract<Event, { type: T }>

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** An event as handed to the writer: `seq` is assigned by it, `time` defaults to now. */
export type EventInput = DistributiveOmit<Event, 'seq' | 'time'> & { time?: number }

/** The JSON Schema document for one line of events.jsonl (what `schema.json` holds). */
export function eventJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `https://threepio.dev/schema/events-v${SCHEMA_VERSION}.json`,
    title: `threepio event (schema version ${SCHEMA_VERSION})`,
    ...(JSON.parse(JSON.stringify(Event)) as Record<string, unknown>),
  }
}
