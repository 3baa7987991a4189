/**
 * The live-output channel between Jest workers and the reporter.
 *
 * The reporter sets two environment variables before workers start; the setup file in each
 * worker appends `output` events (events.jsonl format) to `<runDir>/workers/<pid>.jsonl`; the
 * reporter reads those files and merges their events into the run's events.jsonl. When Jest runs
 * the tests in its own process (in band), the setup file has the reporter install the capture
 * (through the hub the reporter puts on `process` under {@link LIVE_HUB}), which hands the same
 * events to the reporter directly and writes no side file.
 */
import type { EventInput } from '@threepio/core'

/** Folder (in the run directory) of the workers' side files. */
export const SIDE_DIR_ENV = 'THREEPIO_JEST_SIDE_DIR'
/** Root the `file` of side-file events is relative to. */
export const ROOT_DIR_ENV = 'THREEPIO_JEST_ROOT_DIR'
export const SIDE_DIR_NAME = 'workers'

/** The test id of the first test with this full name in a file (later ones add ` #2`, ` #3` …). */
export function jestTestId(file: string, fullName: string, occurrence = 1): string {
  return `${file}::${fullName}${occurrence > 1 ? ` #${occurrence}` : ''}`
}

/**
 * A side-file line: an output event plus the ordinal of the test invocation that printed it in
 * its file (1 for the first test that started, counting retries), which the reporter matches with
 * its own onTestCaseStart order. Names alone cannot tell two tests with one title apart.
 */
export interface SideOutput {
  /** Ordinal of the running test invocation in the file; absent outside any test. */
  testStart?: number
  /** Index of the console entry (in the file's console buffer) this output starts. */
  consoleIndex?: number
}

/**
 * Where the reporter puts its {@link LiveHub} on `process` before the tests start. Jest copies
 * `process` into each test file's environment, so the setup file finds it there when the tests
 * run in the reporter's own process; in a worker process it is absent.
 */
export const LIVE_HUB = Symbol.for('threepio.jest-reporter.live-output')

/** The test file's globals the capture is installed with. */
export interface TestFileGlobals {
  expect: { getState(): { currentTestName?: string; testPath?: string } }
  beforeEach: (fn: () => void) => void
  afterAll: (fn: () => void) => void
  jest: { isEnvironmentTornDown?: () => boolean } | undefined
  console: object
  process: Pick<NodeJS.Process, 'stdout' | 'stderr'>
  /** The file's global object (jest-circus keeps its state on it). */
  globalThis: object
}

/**
 * What the reporter offers the setup file in band: `install` sets up the capture in the file whose
 * globals it is given, with the reporter's own copy of the code, which hands each output event to
 * the reporter directly. Never throws.
 */
export interface LiveHub {
  install(globals: TestFileGlobals): void
}

/**
 * Takes one output event of the capture, in band (the event is the reporter's from then on),
 * with what a side-file line adds to it. Never throws.
 */
export type LiveSink = (
  event: Extract<EventInput, { type: 'output' }>,
  testStart: number | undefined,
  consoleIndex: number | undefined,
) => void
