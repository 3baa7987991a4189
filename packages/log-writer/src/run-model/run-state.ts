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
  type Event,
  type RunEndEvent,
  type RunStartEvent,
} from '@threepio/core'
import * as fmt from './log-format.js'
import { LogArranger } from './log-arranger.js'
import {
  addCounts,
  fileKey,
  keyOf,
  lineInStack,
  MAX_DIAGNOSTICS,
  refOf,
  type FileRef,
  type FileSummary,
  type LogAppend,
  type SummaryStatus,
} from './summaries.js'
import type { HistoryView } from './insights.js'
import { DURATION_FLOOR_MS, letterOf, RunOutcomes, type FileOutcomes } from './outcomes.js'
import { RunTally, type TestRecord } from './tally.js'

export * from './summaries.js'

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

/** Everything known about a run, from its events. */
export class RunState extends RunTally {
  start: RunStartEvent | undefined
  end: RunEndEvent | undefined
  readonly files = new Map<string, FileSummary>()
  lastSeq = 0
  lastTime = 0
  /** Lines of events.jsonl that could not be read (set by readers of the file). */
  skippedLines = 0
  /** True once the reader of the events decided no more will come. */
  finished = false
  /** Every test's last outcome, by file, as files close. */
  readonly outcomes = new RunOutcomes()
  /** What the history of earlier runs says about this one (set at the run's end). */
  history: HistoryView | undefined
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
        this.root = event.rootDir
        return undefined
      case 'file-start': {
        const key = keyOf(event)
        if (this.open.has(key)) return undefined
        this.late.delete(key) // started again: a new round for this file
        return this.openFile(event, event.time).append
      }
      case 'test-start':
        return this.applyTestStart(event)
      case 'output':
        return this.applyOutput(event)
      case 'test-end':
        return this.applyTestEnd(event)
      case 'file-end':
        return this.applyFileEnd(event)
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

  /** A running file's tests that ended so far (a live view's rows), in its outcomes' form. */
  testsSoFar(ref: FileRef): Pick<FileOutcomes, 'statuses' | 'durations'> & { names: string[] } {
    const out = { names: [] as string[], statuses: '', durations: {} as Record<number, number> }
    for (const t of this.open.get(keyOf(ref))?.tests.values() ?? []) {
      if (!t.status) continue
      const i = out.names.push(t.name) - 1
      out.statuses += letterOf(t.status)
      if ((t.durationMs ?? 0) >= DURATION_FLOOR_MS) out.durations[i] = Math.round(t.durationMs!)
    }
    return out
  }

  private applyTestStart(event: Extract<Event, { type: 'test-start' }>): LogAppend | undefined {
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

  private applyTestEnd(event: Extract<Event, { type: 'test-end' }>): LogAppend | undefined {
    const { file, append } = this.fileFor(event, event.time)
    const test = this.rememberTest(file, event.test.id, fmt.fullName(event.test))
    test.ref = { name: event.test.name, suite: [...event.test.suite] }
    if (event.test.parent !== undefined) test.ref.parent = event.test.parent
    if (event.location) test.line = event.location.line
    const name = test.name
    if (!file.ended) {
      test.attempts = (test.attempts ?? 0) + 1
      if (event.durationMs !== undefined) test.durationMs = event.durationMs
      else delete test.durationMs
      if (event.reason) this.countReason(event.reason, event.status)
      this.countTest(file.summary, event.test.id, test, event.status, event.error)
      this.countTeardownError(file.summary, event.test.id, test, event.teardownError)
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

  private applyFileEnd(event: Extract<Event, { type: 'file-end' }>): LogAppend | undefined {
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
        ...refOf(s),
        log: s.log,
        status,
        error: event.error,
        ...(line !== undefined ? { line } : {}),
      })
    }
    const lines = fmt.fileEndLines(fmt.fileLabel(s), status, s.counts, s.durationMs, event.error, {
      ...(s.skipReason !== undefined ? { skipReason: s.skipReason } : {}),
      ...(s.failedToLoad ? { failedToLoad: true } : {}),
      teardownErrors: s.teardownErrors,
    })
    const text = this.logged(file, file.log.close(lines))
    this.closeFile(file)
    return this.join(append, text)
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

  /** Files still open (started and not ended). */
  get openFiles(): number {
    return this.open.size
  }

  private applyOutput(event: Extract<Event, { type: 'output' }>): LogAppend | undefined {
    let key = event.file !== undefined ? fileKey(event.file, event.project, event.mode) : undefined
    if (key === undefined && event.testId !== undefined) key = this.testFile.get(event.testId)
    if (key === undefined) {
      this.unattributedOutput++ // run-level output: in events.jsonl only, counted in the summary
      return undefined
    }
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

  private openFile(ref: FileRef, time: number): { file: OpenFile; append: LogAppend } {
    const key = keyOf(ref)
    const log = `${LOGS_DIR}/${logPathFor(ref.file, ref.project, ref.mode)}`
    const known = this.files.get(key)
    const summary: FileSummary = known ?? {
      ...refOf(ref),
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
    const waited = file.log.takeWaited()
    if (!text) return undefined
    return waited ? { log: file.summary.log, text, waited } : { log: file.summary.log, text }
  }

  private closeFile(file: OpenFile): void {
    this.outcomes.addFile(file.summary, file.tests.values())
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

  private join(a: LogAppend | undefined, b: LogAppend | undefined): LogAppend | undefined {
    if (!a) return b
    if (!b) return a
    const waited = a.waited || b.waited
    return waited
      ? { log: a.log, text: a.text + b.text, waited }
      : { log: a.log, text: a.text + b.text }
  }
}
