/**
 * The state of a run, built from its events alone: the same events give the same state and the
 * same log text, whether they arrive live or are replayed from events.jsonl.
 *
 * This is the one bookkeeper: adapters report facts (a test ended with a status, a file failed to
 * load or was skipped as a whole) and every count and status is derived here, from test-end and
 * file-end events, with {@link fileStatus} from core. A file is its path, project and mode.
 *
 * `apply` returns the text to append to a file's log; the caller does the I/O. Memory is bounded:
 * per file a few counters, per *open* file the tests seen in it (for retries and names), and the
 * failure list is capped.
 */
import {
  emptyCounts,
  fileStatus,
  LOGS_DIR,
  logPathFor,
  type Counts,
  type Event,
  type FileMode,
  type FileStatus,
  type RunEndEvent,
  type RunStartEvent,
  type TestError,
  type TestStatus,
} from '@threepio/core'
import * as fmt from './log-format.js'
import { LogArranger } from './log-arranger.js'

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

interface OpenFile {
  summary: FileSummary
  start: number
  tests: Map<string, TestRecord>
  /** How many tests of the file have each full name. */
  names: Map<string, number>
  /** The order of its log's lines (each test's lines together). */
  log: LogArranger
  /** The test that started last and has not ended (the one running, for an unfinished file). */
  current: string | undefined
  /** A file that already ended: late events only add lines to its log, never change counts. */
  ended?: boolean
}

/** A test as its runner names it; `parent` is the test that holds it and reruns it. */
export interface TestName {
  name: string
  suite: string[]
  parent?: string
}

interface TestRecord {
  name: string
  ref?: TestName
  line?: number
  status?: TestStatus
  failedBefore?: boolean
  teardownError?: boolean
  /** Started and not yet ended. */
  running?: boolean
}

/** The identity of a file: path, project and mode. */
export const fileKey = (file: string, project?: string, mode?: string): string =>
  `${project ?? ''}\0${mode ?? ''}\0${file}`

type FileRef = { file: string; project?: string | undefined; mode?: FileMode | undefined }
const keyOf = (r: FileRef) => fileKey(r.file, r.project, r.mode)

function addCounts(into: Counts, from: Counts, sign = 1): void {
  for (const k of Object.keys(into) as (keyof Counts)[]) into[k] += sign * (from[k] ?? 0)
}

/** Everything known about a run, from its events. */
export class RunState {
  start: RunStartEvent | undefined
  end: RunEndEvent | undefined
  /** Counts so far: last attempt of each test counts. */
  readonly counts: Counts = emptyCounts()
  /** Teardown errors of tests that had already failed (pytest counts each as an error). */
  teardownErrors = 0
  /** Tests that passed after a failed attempt. */
  flaky = 0
  readonly files = new Map<string, FileSummary>()
  readonly failures: FailureSummary[] = []
  /** Skip, todo and xfail reasons, most frequent first once read through {@link reasons}. */
  private readonly reasonCounts = new Map<string, ReasonSummary>()
  failuresTotal = 0
  diagnosticsTotal = 0
  readonly diagnostics: string[] = []
  lastSeq = 0
  lastTime = 0
  /** Lines of events.jsonl that could not be read (set by readers of the file). */
  skippedLines = 0
  /** True once the reader of the events decided no more will come. */
  finished = false
  private readonly open = new Map<string, OpenFile>()
  /** Which open file a test id belongs to (entries leave with their file). */
  private readonly testFile = new Map<string, string>()
  /** Log state of ended files that received late events. */
  private readonly late = new Map<string, OpenFile>()
  /** Files whose logs hold lines behind a test that has not ended. */
  private readonly holding = new Set<OpenFile>()

  /** Summary status: from run-end, else RUNNING, or INCOMPLETE once finished without run-end. */
  get status(): SummaryStatus {
    if (this.end) return this.end.status.toUpperCase() as SummaryStatus
    return this.finished ? 'INCOMPLETE' : 'RUNNING'
  }

  /** Run duration: from run-end, else from the first to the last event. */
  get durationMs(): number {
    if (this.end) return this.end.durationMs
    return this.start ? Math.max(0, this.lastTime - this.start.time) : 0
  }

  /** Applies one event; returns the text its file's log gets, if any. */
  apply(event: Event): LogAppend | undefined {
    this.lastSeq = event.seq
    this.lastTime = Math.max(this.lastTime, event.time)
    switch (event.type) {
      case 'run-start':
        this.start = event
        return undefined
      case 'file-start': {
        const key = keyOf(event)
        if (this.open.has(key)) return undefined
        this.late.delete(key) // started again: a new round for this file
        return this.openFile(event, event.time).append
      }
      case 'test-start': {
        const { file, append } = this.fileFor(event, event.time)
        const test = this.rememberTest(file, event.test.id, fmt.fullName(event.test))
        file.current = event.test.id
        test.running = true
        const line = fmt.testStartLine(test.name)
        return this.join(
          append,
          this.logged(file, file.log.start(event.test.id, test.name, line, event.time)),
        )
      }
      case 'output':
        return this.applyOutput(event)
      case 'test-end': {
        const { file, append } = this.fileFor(event, event.time)
        const test = this.rememberTest(file, event.test.id, fmt.fullName(event.test))
        test.ref = { name: event.test.name, suite: [...event.test.suite] }
        if (event.test.parent !== undefined) test.ref.parent = event.test.parent
        if (event.location) test.line = event.location.line
        const name = test.name
        if (!file.ended) {
          if (event.reason) this.countReason(event.reason, event.status)
          this.countTest(file, event.test.id, test, event.status, event.error)
          this.countTeardownError(file, event.test.id, test, event.teardownError)
        }
        if (file.current === event.test.id) file.current = undefined
        test.running = false
        const lines = fmt.testEndLines(
          name,
          event.status,
          event.durationMs,
          event.attempt,
          event.error,
          {
            ...(event.reason !== undefined ? { reason: event.reason } : {}),
            ...(event.teardownError ? { teardownError: event.teardownError } : {}),
          },
        )
        return this.join(
          append,
          this.logged(file, file.log.end(event.test.id, name, lines, event.time)),
        )
      }
      case 'file-end': {
        const { file, append } = this.fileFor(event, event.time)
        if (file.ended) return append // a second file-end changes nothing
        const s = file.summary
        // Schema 1 said `status: 'error'` for a file that failed to load; its counts are ignored.
        const legacyError = (event as { status?: unknown }).status === 'error'
        if (event.failedToLoad || legacyError) s.failedToLoad = true
        if (event.skipReason !== undefined) s.skipReason = event.skipReason
        if (event.error) s.error = event.error
        const status = fileStatus(s)
        s.status = status
        s.durationMs = event.durationMs ?? Math.max(0, event.time - file.start)
        if (event.error) {
          const line = lineInStack(event.error, s.file)
          this.addFailure({
            ...this.refOf(s),
            log: s.log,
            status,
            error: event.error,
            ...(line !== undefined ? { line } : {}),
          })
        }
        const lines = fmt.fileEndLines(
          fmt.fileLabel(s),
          status,
          s.counts,
          s.durationMs,
          event.error,
          {
            ...(s.skipReason !== undefined ? { skipReason: s.skipReason } : {}),
            ...(s.failedToLoad ? { failedToLoad: true } : {}),
            teardownErrors: s.teardownErrors,
          },
        )
        const text = this.logged(file, file.log.close(lines))
        this.closeFile(file)
        return this.join(append, text)
      }
      case 'run-end':
        this.end = event
        return undefined
      case 'diagnostic':
        this.diagnosticsTotal++
        if (this.diagnostics.length < MAX_DIAGNOSTICS)
          this.diagnostics.push(`${event.level}: ${event.message}`)
        return undefined
    }
  }

  /** No more events will come: closes the logs of unfinished files. */
  finish(): LogAppend[] {
    this.finished = true
    const out: LogAppend[] = []
    for (const file of [...this.open.values()]) {
      file.summary.status = 'unfinished'
      const running = file.current !== undefined ? file.tests.get(file.current)?.name : undefined
      if (running !== undefined) file.summary.runningTest = running
      const lines = fmt.unfinishedLines(fmt.fileLabel(file.summary), this.status)
      out.push({ log: file.summary.log, text: file.log.close(lines) })
      this.closeFile(file)
    }
    // Lines a file got after its end that still wait behind another test's.
    for (const file of this.holding) {
      const text = file.log.close('')
      if (text) out.push({ log: file.summary.log, text })
    }
    this.holding.clear()
    return out
  }

  /** Skip, todo and xfail reasons with their counts, most frequent first. */
  get reasons(): ReasonSummary[] {
    return [...this.reasonCounts.values()].sort((a, b) => b.count - a.count)
  }

  private countReason(reason: string, status: TestStatus): void {
    const key = `${status}\0${reason}`
    const known = this.reasonCounts.get(key)
    if (known) known.count++
    else if (this.reasonCounts.size < MAX_REASONS)
      this.reasonCounts.set(key, { reason, status, count: 1 })
  }

  /** Files still open (started and not ended). */
  get openFiles(): number {
    return this.open.size
  }

  private applyOutput(event: Extract<Event, { type: 'output' }>): LogAppend | undefined {
    let key = event.file !== undefined ? fileKey(event.file, event.project, event.mode) : undefined
    if (key === undefined && event.testId !== undefined) key = this.testFile.get(event.testId)
    if (key === undefined) return undefined // run-level output: in events.jsonl only
    let append: LogAppend | undefined
    let file = this.open.get(key)
    if (!file) {
      if (event.file === undefined) return undefined
      ;({ file, append } = this.fileFor({ ...event, file: event.file }, event.time))
    }
    const owner = event.testId ?? null
    const test = owner === null ? undefined : file.tests.get(owner)
    const name = owner === null ? undefined : (test?.name ?? owner)
    const text = file.log.output(owner, name, event.text, event.stream, !!test?.running, event.time)
    return this.join(append, this.logged(file, text))
  }

  private fileFor(ref: FileRef, time: number): { file: OpenFile; append?: LogAppend } {
    const key = keyOf(ref)
    const open = this.open.get(key)
    if (open) return { file: open }
    const known = this.files.get(key)
    if (known) {
      // Late events of a file that ended (a runner may report some after the file's end).
      let late = this.late.get(key)
      const first = !late
      if (!late) {
        late = {
          summary: known,
          start: time,
          tests: new Map(),
          names: new Map(),
          log: new LogArranger(),
          current: undefined,
          ended: true,
        }
        this.late.set(key, late)
      }
      return {
        file: late,
        ...(first ? { append: { log: known.log, text: '· after the file ended\n' } } : {}),
      }
    }
    return this.openFile(ref, time)
  }

  private refOf(s: FileRef): { file: string; project?: string; mode?: FileMode } {
    return {
      file: s.file,
      ...(s.project ? { project: s.project } : {}),
      ...(s.mode ? { mode: s.mode } : {}),
    }
  }

  private openFile(ref: FileRef, time: number): { file: OpenFile; append: LogAppend } {
    const key = keyOf(ref)
    const log = `${LOGS_DIR}/${logPathFor(ref.file, ref.project, ref.mode)}`
    const known = this.files.get(key)
    const summary: FileSummary = known ?? {
      ...this.refOf(ref),
      log,
      status: 'running',
      counts: emptyCounts(),
      teardownErrors: 0,
    }
    if (known) {
      // The same file again (e.g. rerun in one process): count it afresh.
      addCounts(this.counts, known.counts, -1)
      this.teardownErrors -= known.teardownErrors
      known.counts = emptyCounts()
      known.teardownErrors = 0
      known.status = 'running'
      delete known.error
      delete known.durationMs
      delete known.failedToLoad
      delete known.skipReason
    }
    this.files.set(key, summary)
    const file: OpenFile = {
      summary,
      start: time,
      tests: new Map(),
      names: new Map(),
      log: new LogArranger(),
      current: undefined,
    }
    this.open.set(key, file)
    const runner = this.start
      ? `${this.start.runner.name} ${this.start.runner.version}`
      : 'unknown runner'
    const header = fmt.logHeader(
      fmt.fileLabel(summary),
      runner,
      this.start?.runId ?? 'unknown',
      time,
    )
    return { file, append: { log, text: (known ? '\n' : '') + header } }
  }

  /**
   * Lines held in the logs of other files than the last event's whose time has come (a test
   * that ran beside others for a while): the clock is the events' time, `now`.
   */
  releaseHeld(now: number): LogAppend[] {
    const out: LogAppend[] = []
    for (const file of this.holding) {
      const text = this.logged(file, file.log.due(now))
      if (text) out.push(text)
    }
    return out
  }

  /** Text the file's log gets now; notes whether its log holds lines back. */
  private logged(file: OpenFile, text: string): LogAppend | undefined {
    if (file.log.holding) this.holding.add(file)
    else this.holding.delete(file)
    return text ? { log: file.summary.log, text } : undefined
  }

  private closeFile(file: OpenFile): void {
    this.holding.delete(file)
    const key = keyOf(file.summary)
    for (const id of file.tests.keys()) this.testFile.delete(id)
    this.open.delete(key)
  }

  /** A test of the file; the second of two with one name is shown as `name (#2)`. */
  private rememberTest(file: OpenFile, id: string, fullName: string) {
    let test = file.tests.get(id)
    if (!test) {
      const n = (file.names.get(fullName) ?? 0) + 1
      file.names.set(fullName, n)
      test = { name: n > 1 ? `${fullName} (#${n})` : fullName }
      file.tests.set(id, test)
      this.testFile.set(id, keyOf(file.summary))
    }
    return test
  }

  private countTest(
    file: OpenFile,
    id: string,
    test: TestRecord,
    status: TestStatus,
    error: TestError | undefined,
  ): void {
    const counts = file.summary.counts
    if (test.status) {
      // A retry: the last attempt counts.
      counts[test.status]--
      counts.total--
      this.counts[test.status]--
      this.counts.total--
    }
    counts[status]++
    counts.total++
    this.counts[status]++
    this.counts.total++
    const failing = status === 'failed' || status === 'error'
    if (failing) test.failedBefore = true
    else if (status === 'passed' && test.failedBefore) this.flaky++
    if (test.status === 'failed' || test.status === 'error') this.removeFailure(id)
    test.status = status
    if (failing) {
      const s = file.summary
      const line = test.line ?? lineInStack(error, s.file)
      this.addFailure({
        ...this.refOf(s),
        log: s.log,
        test: test.name,
        testId: id,
        status,
        ...(error ? { error } : {}),
        ...(test.ref ? { ref: test.ref } : {}),
        ...(line !== undefined ? { line } : {}),
      })
    }
  }

  /** A teardown error after the test failed: kept beside the failure (the last attempt's). */
  private countTeardownError(
    file: OpenFile,
    id: string,
    test: TestRecord,
    error: TestError | undefined,
  ): void {
    if (test.teardownError) {
      test.teardownError = false
      file.summary.teardownErrors--
      this.teardownErrors--
      this.removeFailure(id, true)
    }
    if (!error) return
    test.teardownError = true
    file.summary.teardownErrors++
    this.teardownErrors++
    this.addFailure({
      ...this.refOf(file.summary),
      log: file.summary.log,
      test: test.name,
      testId: id,
      status: 'error',
      error,
      teardown: true,
    })
  }

  private addFailure(failure: FailureSummary): void {
    this.failuresTotal++
    if (this.failures.length < MAX_FAILURES) this.failures.push(failure)
  }

  private removeFailure(testId: string, teardown = false): void {
    this.failuresTotal--
    const i = this.failures.findIndex((f) => f.testId === testId && !!f.teardown === teardown)
    if (i >= 0) this.failures.splice(i, 1)
  }

  private join(a: LogAppend | undefined, b: LogAppend | undefined): LogAppend | undefined {
    if (!a) return b
    if (!b) return a
    return { log: a.log, text: a.text + b.text }
  }
}
