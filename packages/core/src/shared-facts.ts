/**
 * Facts the Python plugin shares with the TypeScript packages, in one place. `pnpm schema`
 * writes them as JSON into the Python package (`pytest_threepio/_shared.json`), which reads
 * them at import; CI fails when the committed file drifts from this source (see
 * `shared-facts.test.ts`).
 */
import {
  DEFAULT_OUTPUT_DIR,
  EVENTS_FILE,
  GITIGNORE_FILE,
  GITIGNORE_TEXT,
  LATEST_FILE,
  LATEST_LINK,
  LOGS_DIR,
  RUN_ID_RANDOM_HEX_DIGITS,
  RUNS_DIR,
  SUMMARY_JSON,
  SUMMARY_MD,
  WORKER_MARKER,
} from './run-dir.js'
import { SCHEMA_VERSION, TEST_STATUSES } from './schema-facts.js'
import { SESSION_ENV, SESSION_RUNS } from './session.js'
import { MAX_OUTPUT_CHARS } from './output-text.js'
import { WRITER_DEFAULTS } from './writer-options.js'

/**
 * How long a write covered by `THREEPIO_SIMULATE_FAULT=HANG…` waits (testing only; read through
 * {@link sharedFacts}, as the Python plugin reads it: the seam is no export of any package).
 */
const SIMULATED_HANG_MS = 6000

/** Runs kept when no option says otherwise. */
export const DEFAULT_KEEP_RUNS = 30

/** Words a boolean option accepts, from the environment, an ini file or a reporter option. */
export const BOOLEAN_WORDS = {
  true: ['1', 'true', 'yes', 'on'],
  false: ['0', 'false', 'no', 'off'],
} as const

/**
 * The warning for a bad option value, everywhere: `{name}` the option, `{where}` where it was
 * set (a reporter option, an environment variable, a pytest flag or ini key), `{value}` what
 * was given, `{expected}` from {@link OPTION_EXPECTED}, `{fallback}` what happens instead.
 */
export const BAD_OPTION_MESSAGE =
  '{name} ({where}) must be {expected}; received {value}; {fallback}'

/**
 * How a value given as text (environment, ini file, pytest flag, or a string reporter option) is
 * read, the same in every language: these blanks around it are ignored, a value that is only
 * blanks is unset, and a count is ASCII digits up to the largest integer a double holds exactly.
 */
export const OPTION_TEXT = {
  blanks: ' \t\r\n',
  countPattern: '^[0-9]+$',
  maxCount: Number.MAX_SAFE_INTEGER,
} as const

/**
 * Where an option may be set, strongest first: a pytest flag, the environment, then the
 * configuration file (a reporter option in jest.config or vitest.config, a pytest ini key).
 */
export const OPTION_PRECEDENCE = ['flag', 'env', 'config'] as const

/** What a value of each kind of option must be, as messages say it. */
export const OPTION_EXPECTED = {
  path: 'a path (an empty value means unset)',
  count: 'a whole number >= 0 (0 keeps all)',
  boolean: 'true or false (1/0, yes/no, on/off)',
} as const

/** Every option, with its name in each place it can be set. */
export const OPTIONS = [
  {
    name: 'outputDir',
    kind: 'path',
    env: 'THREEPIO_DIR',
    pytestFlag: '--threepio-dir',
    pytestIni: 'threepio_dir',
    default: DEFAULT_OUTPUT_DIR,
    fallback: `using ${DEFAULT_OUTPUT_DIR} under the project root`,
    help: 'output directory (default: <rootdir>/.3pio)',
  },
  {
    name: 'keepRuns',
    kind: 'count',
    env: 'THREEPIO_KEEP_RUNS',
    pytestFlag: '--threepio-keep-runs',
    pytestIni: 'threepio_keep_runs',
    default: DEFAULT_KEEP_RUNS,
    fallback: `keeping ${DEFAULT_KEEP_RUNS}`,
    help: 'runs to keep; 0 keeps all (default 30)',
  },
  {
    name: 'quiet',
    kind: 'boolean',
    env: 'THREEPIO_QUIET',
    pytestFlag: '--threepio-quiet',
    pytestIni: 'threepio_quiet',
    default: false,
    fallback: 'not quiet',
    help: 'no closing line',
  },
  {
    name: 'junit',
    kind: 'path',
    env: 'THREEPIO_JUNIT',
    pytestFlag: '--threepio-junit',
    pytestIni: 'threepio_junit',
    default: '',
    fallback: 'not writing it',
    help: 'also write the run as JUnit XML to this file, at run end (relative to the root)',
  },
  {
    name: 'ctrf',
    kind: 'path',
    env: 'THREEPIO_CTRF',
    pytestFlag: '--threepio-ctrf',
    pytestIni: 'threepio_ctrf',
    default: '',
    fallback: 'not writing it',
    help: 'also write the run as a CTRF JSON report to this file, at run end (relative to the root)',
  },
  {
    name: 'githubAnnotations',
    kind: 'boolean',
    env: 'THREEPIO_GITHUB_ANNOTATIONS',
    pytestFlag: '--threepio-github-annotations',
    pytestIni: 'threepio_github_annotations',
    default: true,
    fallback: 'annotating',
    help: 'under GitHub Actions, an error annotation per failing test (up to 10); off: false',
  },
  {
    name: 'githubSummary',
    kind: 'boolean',
    env: 'THREEPIO_GITHUB_SUMMARY',
    pytestFlag: '--threepio-github-summary',
    pytestIni: 'threepio_github_summary',
    default: true,
    fallback: 'adding it',
    help: 'under GitHub Actions, test-run.md appended to the step summary; off: false',
  },
] as const

/** Job-name variables of CI providers, for run-start's `ci.job` (the first one set). */
export const CI_JOB_VARS = [
  'GITHUB_JOB',
  'CI_JOB_NAME',
  'CIRCLE_JOB',
  'BUILDKITE_LABEL',
  'SYSTEM_JOBDISPLAYNAME',
  'JOB_NAME',
  'TRAVIS_JOB_NAME',
] as const

/**
 * Variables that mean "some CI" to ci-info when no known provider matches (its `isCI`). The
 * providers themselves come from ci-info's vendors.json, which `pnpm schema` copies for Python.
 */
export const CI_GENERIC_VARS = [
  'BUILD_ID',
  'BUILD_NUMBER',
  'CI',
  'CI_APP_ID',
  'CI_BUILD_ID',
  'CI_BUILD_NUMBER',
  'CI_NAME',
  'CONTINUOUS_INTEGRATION',
  'RUN_ID',
] as const

/** The JSON the Python plugin reads. */
export function sharedFacts(ciVendors: unknown[] = []): Record<string, unknown> {
  return {
    $comment: 'Generated from packages/core/src/shared-facts.ts by `pnpm schema`; do not edit.',
    schemaVersion: SCHEMA_VERSION,
    testStatuses: TEST_STATUSES,
    names: {
      runs: RUNS_DIR,
      latest: LATEST_FILE,
      latestLink: LATEST_LINK,
      gitignore: GITIGNORE_FILE,
      events: EVENTS_FILE,
      summaryMd: SUMMARY_MD,
      summaryJson: SUMMARY_JSON,
      logs: LOGS_DIR,
      workerMarker: WORKER_MARKER,
    },
    gitignoreText: GITIGNORE_TEXT,
    session: { env: SESSION_ENV, runs: SESSION_RUNS },
    // createRunId's format as Python's strftime spells it (test-vectors/run-ids.json checks both).
    runId: { utcStrftime: '%Y-%m-%d_%H-%M-%S_', randomHexDigits: RUN_ID_RANDOM_HEX_DIGITS },
    ci: {
      vendors: ciVendors,
      genericVars: CI_GENERIC_VARS,
      jobVars: CI_JOB_VARS,
    },
    optionExpected: OPTION_EXPECTED,
    booleanWords: BOOLEAN_WORDS,
    optionText: OPTION_TEXT,
    optionPrecedence: OPTION_PRECEDENCE,
    badOptionMessage: BAD_OPTION_MESSAGE,
    options: OPTIONS,
    simulatedHangMs: SIMULATED_HANG_MS,
    // Lengths of text are UTF-16 code units, as JavaScript counts them; Python counts the same.
    writer: { ...WRITER_DEFAULTS, maxOutputChars: MAX_OUTPUT_CHARS },
  }
}

/** One option's facts. */
export type OptionFact = (typeof OPTIONS)[number]
