/**
 * What summaries show of a run: its files, failures and reasons, the limits on how many are
 * kept, and the identity of a file (path, project and mode).
 */
import type { Counts, FileMode, FileStatus, TestError, TestStatus } from '@threepio/core'

/** Status of a run as summaries show it. */
export type SummaryStatus = 'RUNNING' | 'PASSED' | 'FAILED' | 'INTERRUPTED' | 'ERROR' | 'INCOMPLETE'

/** A file as summaries show it. */
export interface FileSummary {
  file: string
  project?: string
  mode?: FileMode
  /** Log path relative to the run directory (POSIX). */
  log: string
  status: FileStatus | 'running' | 'unfinished'
  counts: Counts
  durationMs?: number
  /** Why the file failed outside its tests (import or collection error). */
  error?: TestError
  /** The file could not be loaded or collected. */
  failedToLoad?: boolean
  /** Why the file was skipped as a whole. */
  skipReason?: string
  /** Teardown errors of tests that had already failed. */
  teardownErrors: number
  /** For a file the run left unfinished: the test that was running then. */
  runningTest?: string
}

/** One failing test (or file) as summaries show it. */
export interface FailureSummary {
  file: string
  project?: string
  mode?: FileMode
  log: string
  /** Full test name; absent for a file that failed to load. */
  test?: string
  testId?: string
  status: TestStatus | FileStatus
  error?: TestError
  /** A teardown error of a test that had already failed (its own failure is listed too). */
  teardown?: boolean
  /** The test as the runner names it (its suites and own name), to rerun just that test. */
  ref?: TestName
  /** Line in the test file: the test's location, else the first frame of the stack there. */
  line?: number
  /** Its cause's signature (see signature.ts). */
  signature?: string
}

/** The first line of `file` that the error's stack (or message) names, as `<file>:<line>`. */
export function lineInStack(error: TestError | undefined, file: string): number | undefined {
  if (!error) return undefined
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const at = new RegExp(`(?:^|[\\s(/\\\\])${escaped}:(\\d+)`)
  for (const text of [error.stack, error.message]) {
    const m = text ? at.exec(text) : null
    if (m) return Number(m[1])
  }
  return undefined
}

/** Text to append to one log. */
export interface LogAppend {
  /** Log path relative to the run directory (POSIX). */
  log: string
  text: string
  /** It holds lines that waited behind another test's: write it at once. */
  waited?: boolean
}

/** Most failures kept with their details (the count goes on). */
export const MAX_FAILURES = 50
/** Most diagnostic messages kept. */
export const MAX_DIAGNOSTICS = 10
/** Most distinct skip, todo and xfail reasons kept (with their counts). */
export const MAX_REASONS = 20

/** Why tests were skipped, todo or expected to fail: one entry per reason and status. */
export interface ReasonSummary {
  reason: string
  status: TestStatus
  count: number
}

/** A test as its runner names it; `parent` is the test that holds it and reruns it. */
export interface TestName {
  name: string
  suite: string[]
  parent?: string
}

/** The identity of a file: path, project and mode. */
export const fileKey = (file: string, project?: string, mode?: string): string =>
  `${project ?? ''}\0${mode ?? ''}\0${file}`

export type FileRef = { file: string; project?: string | undefined; mode?: FileMode | undefined }
export const keyOf = (r: FileRef) => fileKey(r.file, r.project, r.mode)

export function addCounts(into: Counts, from: Counts, sign = 1): void {
  for (const k of Object.keys(into) as (keyof Counts)[]) into[k] += sign * (from[k] ?? 0)
}

/** A file's identity as events and summaries spell it (absent parts left out). */
export function refOf(s: FileRef): { file: string; project?: string; mode?: FileMode } {
  return {
    file: s.file,
    ...(s.project ? { project: s.project } : {}),
    ...(s.mode ? { mode: s.mode } : {}),
  }
}
