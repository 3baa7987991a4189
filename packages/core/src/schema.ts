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
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { SCHEMA_VERSION, TEST_STATUSES } from './schema-facts.js'

export { SCHEMA_VERSION, TEST_STATUSES }

const str = (description: string) => Type.String({ description })
const int = (description: string) => Type.Integer({ minimum: 0, description })
const opt = <T extends TSchema>(schema: T) => Type.Optional(schema)

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

/** Outcome of one test (one attempt of it, when retried). */
export const TestStatus = Type.Union(
  [
    Type.Literal('passed'),
    Type.Literal('failed'),
    Type.Literal('skipped'),
    Type.Literal('todo'),
    Type.Literal('xfailed'),
    Type.Literal('xpassed'),
    Type.Literal('error'),
  ],
  {
    description:
      'Outcome of a test: passed, failed, skipped, todo, xfailed (expected failure that failed), xpassed (expected failure that passed), error (could not run: setup/teardown error, crash).',
  },
)
export type TestStatus = Static<typeof TestStatus>

/** Outcome of a test file. */
export const FileStatus = Type.Union(
  [Type.Literal('passed'), Type.Literal('failed'), Type.Literal('skipped'), Type.Literal('error')],
  {
    description:
      'Outcome of a test file: error when it failed to load, import or collect, or failed outside any test.',
  },
)
export type FileStatus = Static<typeof FileStatus>

/** Outcome of a whole run. */
export const RunStatus = Type.Union(
  [
    Type.Literal('passed'),
    Type.Literal('failed'),
    Type.Literal('interrupted'),
    Type.Literal('error'),
  ],
  {
    description:
      'Outcome of the run: interrupted when it was stopped (signal, bail, Ctrl+C) before it finished; error when the runner itself failed.',
  },
)
export type RunStatus = Static<typeof RunStatus>

/** One number per test status plus the total. */
export const Counts = Type.Object(
  {
    /** Tests that passed. */
    passed: int('Tests that passed.'),
    /** Tests that failed. */
    failed: int('Tests that failed.'),
    /** Tests that were skipped. */
    skipped: int('Tests that were skipped.'),
    /** Tests marked todo. */
    todo: int('Tests marked todo.'),
    /** Expected failures that failed. */
    xfailed: int('Expected failures that failed.'),
    /** Expected failures that passed. */
    xpassed: int('Expected failures that passed.'),
    /** Tests that could not run (setup or teardown error, crash). */
    error: int('Tests that could not run (setup or teardown error, crash).'),
    /** All tests counted above. */
    total: int('All tests: the sum of the other counts.'),
  },
  { description: 'Test counts by final status (the last attempt of a retried test counts).' },
)
export type Counts = Static<typeof Counts>

/** Identity of a test. */
export const TestRef = Type.Object(
  {
    /** Unique within the run; stable across attempts of the same test. */
    id: str('Unique within the run and the same for every attempt of one test.'),
    /** The test's own title. */
    name: str("The test's own title, without its suites."),
    /** Enclosing describe blocks / classes, outermost first. */
    suite: Type.Array(Type.String(), {
      description: 'Enclosing describe blocks or classes, outermost first.',
    }),
    /** The test that holds this one and reruns it (a pytest subtest's test). */
    parent: opt(str('Id of the test that holds this one and reruns it (a pytest subtest).')),
  },
  { description: 'Identity of a test.' },
)
export type TestRef = Static<typeof TestRef>

/** A failure: what went wrong and where. */
export const TestError = Type.Object(
  {
    /** The error message (first line is the headline). */
    message: str('The error message; its first line is the headline.'),
    /** Stack trace, as the framework printed it. */
    stack: opt(str('Stack trace, as the framework printed it.')),
    /** The expected value of a failed assertion, serialised. */
    expected: opt(str('Expected value of a failed assertion, serialised.')),
    /** The actual value of a failed assertion, serialised. */
    actual: opt(str('Actual value of a failed assertion, serialised.')),
    /** A printable diff between expected and actual. */
    diff: opt(str('A printable diff between expected and actual.')),
  },
  { description: 'A failure: message, stack and, for assertions, expected/actual/diff.' },
)
export type TestError = Static<typeof TestError>

/** Where a test is defined in its file. */
export const Location = Type.Object(
  {
    /** 1-based line. */
    line: Type.Integer({ minimum: 1, description: '1-based line.' }),
    /** 1-based column. */
    column: opt(Type.Integer({ minimum: 1, description: '1-based column.' })),
  },
  { description: 'Where the test is defined in its file.' },
)
export type Location = Static<typeof Location>

const file = str('Test file: POSIX path relative to rootDir (may start with ../ when outside it).')
const project = opt(
  str(
    'Project (Vitest/Jest projects) that ran the file; a file is identified by file + project + mode.',
  ),
)
/** How a file ran, when the framework runs one file in more than one way. */
export const FILE_MODES = ['typecheck'] as const
/** A mode of {@link FILE_MODES}. */
export type FileMode = (typeof FILE_MODES)[number]
const mode = opt(
  Type.Union(
    FILE_MODES.map((m) => Type.Literal(m)),
    {
      description:
        "How the file ran, when the framework runs one file in more than one way (Vitest's typecheck pass: typecheck); absent for an ordinary run. A file is identified by file + project + mode.",
    },
  ),
)
const reason = opt(
  str('Why the test was skipped, marked todo or expected to fail, as the test or framework said.'),
)

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

/** Counts with every status at zero. */
export function emptyCounts(): Counts {
  return { passed: 0, failed: 0, skipped: 0, todo: 0, xfailed: 0, xpassed: 0, error: 0, total: 0 }
}

/** What a file's status is decided from: its counts and the facts of its file-end. */
export interface FileFacts {
  counts: Counts
  /** From file-end: the file could not be loaded or collected. */
  failedToLoad?: boolean
  /** From file-end: the file failed outside its tests (a hook, an import, afterAll). */
  error?: unknown
  /** From file-end: the file was skipped as a whole. */
  skipReason?: string
  /** Teardown errors of tests that had already failed. */
  teardownErrors?: number
}

/**
 * The status rule, the one place it lives: `error` when the file failed to load or collect;
 * `failed` when a test failed or errored, or the file failed outside its tests; `skipped` when
 * the file was skipped as a whole, or has tests and every one was skipped, todo or xfailed;
 * else `passed`.
 */
export function fileStatus(f: FileFacts): FileStatus {
  const c = f.counts
  if (f.failedToLoad) return 'error'
  if (c.failed + c.error > 0 || f.error !== undefined || (f.teardownErrors ?? 0) > 0)
    return 'failed'
  if (f.skipReason !== undefined && c.passed + c.xpassed === 0) return 'skipped'
  if (c.total > 0 && c.total === c.skipped + c.todo + c.xfailed) return 'skipped'
  return 'passed'
}

/** The JSON Schema document for one line of events.jsonl (what `schema.json` holds). */
export function eventJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `https://threepio.dev/schema/events-v${SCHEMA_VERSION}.json`,
    title: `threepio event (schema version ${SCHEMA_VERSION})`,
    ...(JSON.parse(JSON.stringify(Event)) as Record<string, unknown>),
  }
}
