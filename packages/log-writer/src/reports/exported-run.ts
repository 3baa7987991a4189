/**
 * A run as the exports see it: each file with its tests (last attempt, attempts, flakiness,
 * error, reason, line and up to 64 KiB of attributed output), from the run's one event stream,
 * texts without terminal colours.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  decodeEvents,
  EVENTS_FILE,
  type Event,
  type FileMode,
  type RunEndEvent,
  type RunStartEvent,
  type TestEndEvent,
  type TestError,
  type TestStatus,
} from '@threepio/core'
import { fullName, withoutAnsi } from '../run-model/log-format.js'
import { testKey, type FailureHistory, type HistoryView } from '../run-model/insights.js'
import { fileKey, lineInStack } from '../run-model/run-state.js'

/** Output kept per test in an export (the log has all of it). */
const MAX_OUTPUT_CHARS = 64 * 1024

export interface ExportedTest {
  id: string
  name: string
  suite: string[]
  status: TestStatus
  durationMs?: number
  error?: TestError
  teardownError?: TestError
  reason?: string
  line?: number
  /** Attempts made (retries + 1). */
  attempts: number
  /** Passed after failing. */
  flaky: boolean
  stdout: string
  stderr: string
}

export interface ExportedFile {
  file: string
  project?: string
  mode?: FileMode
  startTime?: number
  durationMs?: number
  failedToLoad?: boolean
  skipReason?: string
  error?: TestError
  tests: ExportedTest[]
}

export interface ExportedRun {
  start?: RunStartEvent
  end?: RunEndEvent
  files: ExportedFile[]
  /** events.jsonl has no run-end: the process was killed, or the run is still going. */
  incomplete: boolean
  /** Where the run stands in the history of runs, when the caller knows it. */
  history?: HistoryView
}

/** A test's place in the history of runs, by the name its log gives it (`name (#2)`). */
export function historyOfTests(
  run: ExportedRun,
  f: ExportedFile,
): Map<ExportedTest, FailureHistory> {
  const out = new Map<ExportedTest, FailureHistory>()
  if (!run.history?.runs) return out // nothing to say before there is an earlier run
  const seen = new Map<string, number>()
  for (const t of f.tests) {
    const full = fullName(t)
    const n = (seen.get(full) ?? 0) + 1
    seen.set(full, n)
    const test = n > 1 ? `${full} (#${n})` : full
    const h = run.history.failures.get(testKey({ ...f, test }))
    if (h) out.set(t, h)
  }
  return out
}

/** An error as a file format holds it: text without terminal colours. */
function plainError(error: TestError): TestError {
  const plain: TestError = { ...error, message: withoutAnsi(error.message) }
  for (const key of ['stack', 'diff', 'expected', 'actual'] as const) {
    const text = error[key]
    if (text !== undefined) plain[key] = withoutAnsi(text)
  }
  return plain
}

/** The run as exports see it, from its events (texts without terminal colours). */
export function exportedRun(events: Iterable<Event>): ExportedRun {
  const run: ExportedRun = { files: [], incomplete: true }
  const files = new Map<string, ExportedFile>()
  const tests = new Map<string, ExportedTest>()
  const fileOf = (e: { file: string; project?: string; mode?: FileMode }, time?: number) => {
    const key = fileKey(e.file, e.project, e.mode)
    let f = files.get(key)
    if (!f) {
      f = {
        file: e.file,
        ...(e.project ? { project: e.project } : {}),
        ...(e.mode ? { mode: e.mode } : {}),
        ...(time !== undefined ? { startTime: time } : {}),
        tests: [],
      }
      files.set(key, f)
      run.files.push(f)
    }
    return f
  }
  for (const e of events) {
    switch (e.type) {
      case 'run-start':
        run.start = e
        break
      case 'run-end':
        run.end = e
        run.incomplete = false
        break
      case 'file-start':
        fileOf(e, e.time)
        break
      case 'test-end':
        applyTestEnd(fileOf(e), tests, e)
        break
      case 'output': {
        if (e.file === undefined || e.testId === undefined) break
        const t = tests.get(fileKey(e.file, e.project, e.mode) + '\0' + e.testId)
        if (!t || t[e.stream].length >= MAX_OUTPUT_CHARS) break
        t[e.stream] += withoutAnsi(e.text).slice(0, MAX_OUTPUT_CHARS - t[e.stream].length)
        break
      }
      case 'file-end': {
        const f = fileOf(e)
        if (e.durationMs !== undefined) f.durationMs = e.durationMs
        else if (f.startTime !== undefined) f.durationMs = Math.max(0, e.time - f.startTime)
        if (e.failedToLoad) f.failedToLoad = true
        if (e.skipReason !== undefined) f.skipReason = withoutAnsi(e.skipReason)
        if (e.error) f.error = plainError(e.error)
        break
      }
      default:
        break
    }
  }
  return run
}

/** The run of a run directory, from its events.jsonl. */
export function readExportedRun(runDir: string): ExportedRun {
  return exportedRun(decodeEvents(readFileSync(join(runDir, EVENTS_FILE))).events)
}

/** A file skipped as a whole before any test (pytest's module-level skip). */
export function skippedAsWhole(f: ExportedFile): boolean {
  return f.skipReason !== undefined && !f.tests.length
}

/** A file that failed outside its tests (to load, or in a hook) with no failing test of its own. */
export function fileCase(f: ExportedFile): boolean {
  return (
    f.failedToLoad === true ||
    (f.error !== undefined && !f.tests.some((t) => t.status === 'failed' || t.status === 'error'))
  )
}

/** A test's attempt: the test is the last attempt, with the attempts counted. */
function applyTestEnd(f: ExportedFile, tests: Map<string, ExportedTest>, e: TestEndEvent): void {
  const key = fileKey(e.file, e.project, e.mode) + '\0' + e.test.id
  let t = tests.get(key)
  if (!t) {
    t = {
      id: e.test.id,
      name: withoutAnsi(e.test.name),
      suite: e.test.suite.map(withoutAnsi),
      status: e.status,
      attempts: 0,
      flaky: false,
      stdout: '',
      stderr: '',
    }
    tests.set(key, t)
    f.tests.push(t)
  }
  const failedBefore = t.attempts > 0 && (t.status === 'failed' || t.status === 'error')
  t.attempts++
  t.status = e.status
  t.flaky = t.flaky || (failedBefore && e.status === 'passed')
  if (e.durationMs !== undefined) t.durationMs = e.durationMs
  if (e.error) t.error = plainError(e.error)
  else delete t.error
  if (e.teardownError) t.teardownError = plainError(e.teardownError)
  if (e.reason !== undefined) t.reason = withoutAnsi(e.reason)
  const line = e.location?.line ?? lineInStack(e.error, e.file)
  if (line !== undefined) t.line = line
}
