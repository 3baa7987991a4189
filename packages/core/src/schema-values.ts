/**
 * The values events are made of: statuses, counts, a test's identity, an error, a location, and
 * the fields that name a file. Part of the event schema ({@link ./schema.ts}).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox'

export const str = (description: string) => Type.String({ description })
export const int = (description: string) => Type.Integer({ minimum: 0, description })
export const opt = <T extends TSchema>(schema: T) => Type.Optional(schema)

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

export const file = str(
  'Test file: POSIX path relative to rootDir (may start with ../ when outside it).',
)
export const project = opt(
  str(
    'Project (Vitest/Jest projects) that ran the file; a file is identified by file + project + mode.',
  ),
)
/** How a file ran, when the framework runs one file in more than one way. */
export const FILE_MODES = ['typecheck'] as const
/** A mode of {@link FILE_MODES}. */
export type FileMode = (typeof FILE_MODES)[number]
export const mode = opt(
  Type.Union(
    FILE_MODES.map((m) => Type.Literal(m)),
    {
      description:
        "How the file ran, when the framework runs one file in more than one way (Vitest's typecheck pass: typecheck); absent for an ordinary run. A file is identified by file + project + mode.",
    },
  ),
)
export const reason = opt(
  str('Why the test was skipped, marked todo or expected to fail, as the test or framework said.'),
)
