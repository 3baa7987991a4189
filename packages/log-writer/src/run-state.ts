/**
 * The state of a run, built from its events alone: the same events give the same state and the
 * same log text, whether they arrive live or are replayed from events.jsonl.
 *
 * `apply` returns the text to append to a file's log; the caller does the I/O. Memory is bounded:
 * per file a few counters, per *open* file the tests seen in it (for retries and names), and the
 * failure list is capped.
 */
import {
  emptyCounts,
  LOGS_DIR,
  logPathFor,
  type Counts,
  type Event,
  type FileStatus,
  type RunEndEvent,
  type RunStartEvent,
  type TestError,
  type TestStatus,
} from '@threepio/core'
import * as fmt from './log-format.js'

/** Status of a run as summaries show it. */
export type SummaryStatus = 'RUNNING' | 'PASSED' | 'FAILED' | 'INTERRUPTED' | 'ERROR' | 'INCOMPLETE'

/** A file as summaries show it. */
export interface FileSummary {
  file: string
  project?: string
  /** Log path relative to the run directory (POSIX). */
  log: string
  status: FileStatus | 'running' | 'unfinished'
  counts: Counts
  durationMs?: number
  /** Why the file failed outside its tests (import or collection error). */
  error?: TestError
  /** For a file the run left unfinished: the test that was running then. */
  runningTest?: string
}

/** One failing test (or file) as summaries show it. */
export interface FailureSummary {
  file: string
  project?: string
  log: string
  /** Full test name; absent for a file that failed to load. */
  test?: string
  testId?: string
  status: TestStatus | FileStatus
  error?: TestError
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

interface OpenFile {
  summary: FileSummary
  start: number
  tests: Map<string, { name: string; status?: TestStatus; failedBefore?: boolean }>
  /** Test the output last written to the log belongs to: id, null for none, undefined before any. */
  attributed: string | null | undefined
  /** The test currently running, as far as markers go. */
  current: string | undefined
  atLineStart: boolean
  /** A file that already ended: late events only add lines to its log, never change counts. */
  ended?: boolean
}

const fileKey = (file: string, project?: string) => `${project ?? ''}\0${file}`

function addCounts(into: Counts, from: Counts, sign = 1): void {
  for (const k of Object.keys(into) as (keyof Counts)[]) into[k] += sign * (from[k] ?? 0)
}

/** Everything known about a run, from its events. */
export class RunState {
  start: RunStartEvent | undefined
  end: RunEndEvent | undefined
  /** Counts so far: last attempt of each test counts. */
  readonly counts: Counts = emptyCounts()
  /** Tests that passed after a failed attempt. */
  flaky = 0
  readonly files = new Map<string, FileSummary>()
  readonly failures: FailureSummary[] = []
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
        const key = fileKey(event.file, event.project)
        if (this.open.has(key)) return undefined
        this.late.delete(key) // started again: a new round for this file
        return this.openFile(event.file, event.project, event.time).append
      }
      case 'test-start': {
        const { file, append } = this.fileFor(event.file, event.project, event.time)
        const name = fmt.fullName(event.test)
        this.rememberTest(file, event.test.id, name)
        file.current = event.test.id
        file.attributed = event.test.id
        return this.join(append, this.write(file, fmt.testStartLine(name)))
      }
      case 'output':
        return this.applyOutput(event)
      case 'test-end': {
        const { file, append } = this.fileFor(event.file, event.project, event.time)
        const name = fmt.fullName(event.test)
        const test = this.rememberTest(file, event.test.id, name)
        if (!file.ended) this.countTest(file, event.test.id, test, event.status, event.error)
        if (file.current === event.test.id) file.current = undefined
        file.attributed = null
        return this.join(
          append,
          this.write(
            file,
            fmt.testEndLines(name, event.status, event.durationMs, event.attempt, event.error),
          ),
        )
      }
      case 'file-end': {
        const { file, append } = this.fileFor(event.file, event.project, event.time)
        if (file.ended) return append // a second file-end changes nothing
        const s = file.summary
        // The framework's own counts are authoritative; the run total follows them.
        addCounts(this.counts, s.counts, -1)
        s.counts = { ...emptyCounts(), ...event.counts }
        addCounts(this.counts, s.counts)
        s.status = event.status
        s.durationMs = event.durationMs ?? Math.max(0, event.time - file.start)
        if (event.error) {
          s.error = event.error
          this.addFailure({
            file: s.file,
            ...(s.project ? { project: s.project } : {}),
            log: s.log,
            status: event.status,
            error: event.error,
          })
        }
        const text = this.write(
          file,
          fmt.fileEndLines(s.file, event.status, s.counts, s.durationMs, event.error),
        )
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
      out.push(this.write(file, fmt.unfinishedLines(file.summary.file, this.status)))
      this.closeFile(file)
    }
    return out
  }

  /** Files still open (started and not ended). */
  get openFiles(): number {
    return this.open.size
  }

  private applyOutput(event: Extract<Event, { type: 'output' }>): LogAppend | undefined {
    let key = event.file !== undefined ? fileKey(event.file, event.project) : undefined
    if (key === undefined && event.testId !== undefined) key = this.testFile.get(event.testId)
    if (key === undefined) return undefined // run-level output: in events.jsonl only
    let append: LogAppend | undefined
    let file = this.open.get(key)
    if (!file) {
      if (event.file === undefined) return undefined
      ;({ file, append } = this.fileFor(event.file, event.project, event.time))
    }
    let text = ''
    const owner = event.testId ?? null
    if (owner !== file.attributed && !(owner === null && file.attributed === undefined)) {
      const name = owner === null ? undefined : (file.tests.get(owner)?.name ?? owner)
      text += (file.atLineStart ? '' : '\n') + fmt.attributionLine(name)
      file.atLineStart = true
      file.attributed = owner
    }
    const out = fmt.outputText(event.text, event.stream, file.atLineStart)
    file.atLineStart = out.atLineStart
    text += out.text
    return this.join(append, text ? { log: file.summary.log, text } : undefined)
  }

  private fileFor(
    path: string,
    project: string | undefined,
    time: number,
  ): { file: OpenFile; append?: LogAppend } {
    const key = fileKey(path, project)
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
          attributed: undefined,
          current: undefined,
          atLineStart: true,
          ended: true,
        }
        this.late.set(key, late)
      }
      return {
        file: late,
        ...(first ? { append: { log: known.log, text: '· after the file ended\n' } } : {}),
      }
    }
    return this.openFile(path, project, time)
  }

  private openFile(
    path: string,
    project: string | undefined,
    time: number,
  ): { file: OpenFile; append: LogAppend } {
    const key = fileKey(path, project)
    const log = `${LOGS_DIR}/${logPathFor(path, project)}`
    const known = this.files.get(key)
    const summary: FileSummary = known ?? {
      file: path,
      ...(project ? { project } : {}),
      log,
      status: 'running',
      counts: emptyCounts(),
    }
    if (known) {
      // The same file again (e.g. rerun in one process): count it afresh.
      addCounts(this.counts, known.counts, -1)
      known.counts = emptyCounts()
      known.status = 'running'
      delete known.error
      delete known.durationMs
    }
    this.files.set(key, summary)
    const file: OpenFile = {
      summary,
      start: time,
      tests: new Map(),
      attributed: undefined,
      current: undefined,
      atLineStart: true,
    }
    this.open.set(key, file)
    const runner = this.start
      ? `${this.start.runner.name} ${this.start.runner.version}`
      : 'unknown runner'
    const header = fmt.logHeader(path, project, runner, this.start?.runId ?? 'unknown', time)
    return { file, append: { log, text: (known ? '\n' : '') + header } }
  }

  private closeFile(file: OpenFile): void {
    const key = fileKey(file.summary.file, file.summary.project)
    for (const id of file.tests.keys()) this.testFile.delete(id)
    this.open.delete(key)
  }

  private rememberTest(file: OpenFile, id: string, name: string) {
    let test = file.tests.get(id)
    if (!test) {
      test = { name }
      file.tests.set(id, test)
      this.testFile.set(id, fileKey(file.summary.file, file.summary.project))
    }
    return test
  }

  private countTest(
    file: OpenFile,
    id: string,
    test: { name: string; status?: TestStatus; failedBefore?: boolean },
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
      this.addFailure({
        file: s.file,
        ...(s.project ? { project: s.project } : {}),
        log: s.log,
        test: test.name,
        testId: id,
        status,
        ...(error ? { error } : {}),
      })
    }
  }

  private addFailure(failure: FailureSummary): void {
    this.failuresTotal++
    if (this.failures.length < MAX_FAILURES) this.failures.push(failure)
  }

  private removeFailure(testId: string): void {
    this.failuresTotal--
    const i = this.failures.findIndex((f) => f.testId === testId)
    if (i >= 0) this.failures.splice(i, 1)
  }

  private write(file: OpenFile, text: string): LogAppend {
    const needsBreak = !file.atLineStart
    file.atLineStart = true
    return { log: file.summary.log, text: (needsBreak ? '\n' : '') + text }
  }

  private join(a: LogAppend | undefined, b: LogAppend | undefined): LogAppend | undefined {
    if (!a) return b
    if (!b) return a
    return { log: a.log, text: a.text + b.text }
  }
}
