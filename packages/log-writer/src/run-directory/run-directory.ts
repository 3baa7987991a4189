/**
 * Applies events to a run directory: per-file logs, test-run.md and run.json.
 *
 * Live (in a reporter, or `threepio ingest`): log text is buffered and appended within
 * `logFlushMs` (25 ms) of arriving; the summary is replaced atomically after a file ends, at most
 * every `summaryMinIntervalMs` (1 s), and every `summaryIntervalMs` (1 s) while a long file runs.
 * Replay (`threepio report`): the same code without timers; everything is written at the end.
 *
 * No log file stays open between flushes, so a suite with thousands of files holds no handles
 * (no EMFILE under a low `ulimit -n`). I/O failures never throw: they are reported through
 * `onDiagnostic`, the text is kept (bounded) and retried with backoff, and a log whose text had
 * to be dropped, or whose directory vanished, is rebuilt from events.jsonl when the run ends.
 */
import * as nodeFs from 'node:fs'
import { dirname, join } from 'node:path'
import {
  EVENTS_FILE,
  readEventsFile,
  LOGS_DIR,
  SUMMARY_JSON,
  SUMMARY_MD,
  skippedLines,
  writeFileAtomicSync,
  type DecodeStats,
  type Event,
  type WriterDiagnostic,
} from '@threepio/core'
import { RunState } from '../run-model/run-state.js'
import { historyAtEnd, type HistoryOptions } from '../history/record-run.js'
import { summaryJson } from '../run-model/run-json.js'
import { summaryMarkdown } from '../run-model/test-run-md.js'
import { REPORT_HTML, reportHtml } from '../reports/html/report-html.js'
import { reportData } from '../reports/html/report-data.js'
import { runHistory } from '../reports/html/run-history.js'

/** The file-system calls a run directory makes: a seam for simulating a failing disk. */
export interface RunDirectoryFs {
  appendFileSync: (path: string, data: string) => void
  mkdirSync: (path: string, options: { recursive: true }) => unknown
  /** `durable`: fsync'd before it replaces the old file (see {@link RunDirectory.writeSummary}). */
  writeFileAtomicSync: (path: string, data: string, durable: boolean) => void
}

const defaultFs: RunDirectoryFs = {
  appendFileSync: (p, d) => nodeFs.appendFileSync(p, d),
  mkdirSync: (p, o) => nodeFs.mkdirSync(p, o),
  writeFileAtomicSync: (p, d, durable) => writeFileAtomicSync(p, d, { fsync: durable }),
}

export interface RunDirectoryOptions {
  /** live: timers and incremental writes; replay: write at the end. */
  mode: 'live' | 'replay'
  /** Problems of threepio's own; never throws into the caller. */
  onDiagnostic?: (diagnostic: WriterDiagnostic) => void
  /** Log text is written at most this long after it arrived. Default 25 ms. */
  logFlushMs?: number
  /**
   * Least time between summaries written at file boundaries. Default 1000 ms: each one is
   * rendered and fsync'd in the test process, and a suite of fast files ends several a second.
   */
  summaryMinIntervalMs?: number
  /** Summary refresh while a long file runs. Default 1000 ms. */
  summaryIntervalMs?: number
  /**
   * fsync each summary refresh while the run goes. Default true. `threepio ingest` (beside
   * pytest) turns it off: there each fsync cost the test run a journal commit, and events.jsonl
   * is the durable record; the final summary is fsync'd either way.
   */
  durableRefresh?: boolean
  /** Log text held in memory before it is written at once (and kept while the disk refuses). Default 4 MiB. */
  maxBufferedChars?: number
  fs?: RunDirectoryFs
  /**
   * At the end, place the run in the history of runs of its output directory (run.json and
   * test-run.md show where it stands) and, with `record`, add it there. Default: neither.
   */
  history?: HistoryOptions['mode']
}

/** Immediate retries of unwritten log text when the run directory is finished. */
const FINISH_RETRIES = 5

const errnoCode = (err: unknown): string =>
  err && typeof err === 'object' && 'code' in err
    ? String((err as { code: unknown }).code)
    : 'EUNKNOWN'

/** Writes one run directory from its events. */
export class RunDirectory {
  /** Everything known about the run so far. */
  readonly state = new RunState()
  private readonly fs: RunDirectoryFs
  private readonly pending = new Map<string, string[]>()
  private pendingChars = 0
  private flushTimer: NodeJS.Timeout | undefined
  /** The flush timer is due at once (for lines that waited). */
  private flushSoon = false
  private summaryTimer: NodeJS.Timeout | undefined
  private lastSummary = 0
  private summaryDirty = false
  private retryDelay = 0
  /** Some log lost text (dropped while the disk refused, or deleted): rebuild logs at the end. */
  private damaged = false
  private finished = false
  private readonly opts: Required<Omit<RunDirectoryOptions, 'onDiagnostic' | 'fs' | 'history'>>

  constructor(
    /** The run directory. */
    readonly runDir: string,
    private readonly options: RunDirectoryOptions,
  ) {
    this.fs = options.fs ?? defaultFs
    this.opts = {
      mode: options.mode,
      logFlushMs: options.logFlushMs ?? 25,
      summaryMinIntervalMs: options.summaryMinIntervalMs ?? 1000,
      summaryIntervalMs: options.summaryIntervalMs ?? 1000,
      durableRefresh: options.durableRefresh ?? true,
      maxBufferedChars: options.maxBufferedChars ?? 4 * 1024 * 1024,
    }
    try {
      // From now on, a missing logs/ means the run directory was deleted.
      this.fs.mkdirSync(join(runDir, LOGS_DIR), { recursive: true })
    } catch (err) {
      this.report(
        'warn',
        `could not create ${join(runDir, LOGS_DIR)} (${errnoCode(err)})`,
        errnoCode(err),
      )
    }
  }

  private get live(): boolean {
    return this.opts.mode === 'live'
  }

  /** Applies one event. Never throws. */
  apply(event: Event): void {
    if (this.finished) return
    let appends
    try {
      const append = this.state.apply(event)
      appends = this.state.releaseHeld(event.time)
      if (append) appends.unshift(append)
    } catch (err) {
      this.report('error', `could not apply a ${event.type} event: ${String(err)}`, 'EAPPLY')
      return
    }
    for (const { log, text, waited } of appends) if (text) this.buffer(log, text, waited)
    if (!this.live) return
    this.summaryDirty = true
    if (event.type === 'run-start' || event.type === 'file-end')
      this.summarySoon(this.opts.summaryMinIntervalMs)
    else this.summarySoon(this.opts.summaryIntervalMs)
  }

  /** Writes buffered log text now. Never throws; returns false if some text is still pending. */
  flushLogs(): boolean {
    if (this.flushTimer) clearTimeout(this.flushTimer)
    this.flushTimer = undefined
    this.flushSoon = false
    for (const [log, parts] of this.pending) {
      const text = parts.join('')
      try {
        this.appendLog(log, text)
        this.pending.delete(log)
        this.pendingChars -= text.length
      } catch (err) {
        // Keep this text (as one part) and what follows it; try again later.
        this.pending.set(log, [text])
        this.onWriteFailure(err, join(this.runDir, log))
        return false
      }
    }
    this.retryDelay = 0
    return true
  }

  /**
   * Replaces test-run.md and run.json now, atomically. Never throws; returns false if that
   * failed. `durable: false` skips the fsync (refreshes while a run goes, where
   * `durableRefresh` is off); the final summary is always durable.
   */
  writeSummary(durable = true): boolean {
    if (this.summaryTimer) clearTimeout(this.summaryTimer)
    this.summaryTimer = undefined
    this.summaryDirty = false
    this.lastSummary = Date.now()
    try {
      try {
        this.writeSummaryFiles(durable)
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') throw err
        // The run directory was deleted: recreate it.
        this.damaged = true
        this.fs.mkdirSync(this.runDir, { recursive: true })
        this.writeSummaryFiles(durable)
      }
      return true
    } catch (err) {
      this.summaryDirty = true
      const code = errnoCode(err)
      this.report(
        'warn',
        `could not write the summary in ${this.runDir} (${code}): ${(err as Error).message}`,
        code,
      )
      return false
    }
  }

  private writeSummaryFiles(durable: boolean): void {
    const json = JSON.stringify(summaryJson(this.state), null, 2) + '\n'
    this.fs.writeFileAtomicSync(join(this.runDir, SUMMARY_JSON), json, durable)
    this.fs.writeFileAtomicSync(join(this.runDir, SUMMARY_MD), summaryMarkdown(this.state), durable)
  }

  /**
   * No more events will come: closes unfinished files' logs, writes everything and the final
   * summary, synchronously. With `rebuildFrom`, logs that lost text are rebuilt from that events.jsonl.
   */
  finish(options: { skipped?: DecodeStats } = {}): void {
    if (this.finished) return
    try {
      for (const append of this.state.finish()) this.buffer(append.log, append.text)
    } catch (err) {
      this.report('error', `could not close the logs: ${String(err)}`, 'EAPPLY')
    }
    if (options.skipped) this.state.skippedLines = skippedLines(options.skipped)
    this.finished = true
    // Last chance for text a failing disk refused: a few immediate retries, then the logs are
    // rebuilt from events.jsonl (which may work where appends did not).
    let flushed = this.flushLogs()
    for (let i = 0; !flushed && i < FINISH_RETRIES; i++) flushed = this.flushLogs()
    if (!flushed) this.damaged = true
    if (this.damaged && this.live) this.rebuildLogs()
    if (this.options.history) {
      const problem = historyAtEnd(this.runDir, this.state, { mode: this.options.history })
      if (problem) this.report('warn', problem, 'EHISTORY')
    }
    for (let i = 0; !this.writeSummary() && i < FINISH_RETRIES; i++);
    this.writeReport()
    if (this.flushTimer) clearTimeout(this.flushTimer)
    if (this.summaryTimer) clearTimeout(this.summaryTimer)
  }

  /** report.html, once, at the end: the page is for reading a run that is over. */
  private writeReport(): void {
    try {
      const html = reportHtml(
        reportData(this.state, runHistory(this.runDir, this.state), this.runDir),
      )
      this.fs.writeFileAtomicSync(join(this.runDir, REPORT_HTML), html, true)
    } catch (err) {
      this.report(
        'warn',
        `could not write ${REPORT_HTML} in ${this.runDir}: ${String(err)}`,
        'EREPORT',
      )
    }
  }

  /** True when some log lost text and was (or will be) rebuilt from events.jsonl. */
  get wasDamaged(): boolean {
    return this.damaged
  }

  private buffer(log: string, text: string, waited = false): void {
    let parts = this.pending.get(log)
    if (!parts) this.pending.set(log, (parts = []))
    if (this.pendingChars + text.length > this.opts.maxBufferedChars) {
      if (!this.flushLogs()) {
        // The disk refuses and memory is full: drop this text, rebuild the log at the end.
        this.damaged = true
        this.report(
          'error',
          `log text dropped while the disk refused writes; logs will be rebuilt from events.jsonl`,
          'ELOGDROP',
        )
        return
      }
      parts = []
      this.pending.set(log, parts)
    }
    parts.push(text)
    this.pendingChars += text.length
    if (!this.live || this.retryDelay !== 0) return
    // Lines that waited for their turn in the log (log order) are written as soon as this task
    // ends: their wait counts against the latency budget too.
    if (waited && !this.flushSoon) {
      clearTimeout(this.flushTimer)
      this.flushSoon = true
      this.flushTimer = setTimeout(() => this.flushLogs(), 0)
      this.flushTimer.unref()
    } else if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flushLogs(), this.opts.logFlushMs)
      this.flushTimer.unref()
    }
  }

  private appendLog(log: string, text: string): void {
    const path = join(this.runDir, log)
    try {
      this.fs.appendFileSync(path, text)
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err
      // First write of a log in a new folder, or the run directory was deleted.
      if (!log.startsWith(LOGS_DIR + '/') || !nodeFs.existsSync(join(this.runDir, LOGS_DIR)))
        this.damaged = true
      this.fs.mkdirSync(dirname(path), { recursive: true })
      this.fs.appendFileSync(path, text)
    }
  }

  private onWriteFailure(err: unknown, path: string): void {
    const code = errnoCode(err)
    this.report(
      'warn',
      `could not write ${path} (${code}): ${String((err as Error).message ?? err)}; the text is kept and retried`,
      code,
    )
    if (!this.live || this.finished) return
    this.retryDelay = Math.min(Math.max(this.retryDelay * 2, 50), 5000)
    if (this.flushTimer) clearTimeout(this.flushTimer)
    this.flushTimer = setTimeout(() => this.flushLogs(), this.retryDelay)
    this.flushTimer.unref()
  }

  private summarySoon(delay: number): void {
    if (this.summaryTimer) {
      if (delay >= this.opts.summaryIntervalMs) return
      clearTimeout(this.summaryTimer)
    }
    const wait = Math.max(0, this.lastSummary + delay - Date.now())
    this.summaryTimer = setTimeout(() => {
      this.summaryTimer = undefined
      if (this.summaryDirty && !this.finished) {
        this.flushLogs()
        this.writeSummary(this.opts.durableRefresh)
      }
    }, wait)
    this.summaryTimer.unref()
  }

  /** Rewrites every log from events.jsonl (which the event writer keeps whole). */
  private rebuildLogs(): void {
    try {
      nodeFs.rmSync(join(this.runDir, LOGS_DIR), { recursive: true, force: true })
      const replay = new RunDirectory(this.runDir, { mode: 'replay', fs: this.fs })
      replayInto(replay, join(this.runDir, EVENTS_FILE))
      for (const append of replay.state.finish()) replay.buffer(append.log, append.text)
      replay.flushLogs()
      this.report(
        'warn',
        `logs in ${this.runDir} lost text during the run and were rebuilt from events.jsonl`,
        'EREBUILT',
      )
    } catch (err) {
      this.report(
        'error',
        `could not rebuild the logs of ${this.runDir}: ${String(err)}`,
        errnoCode(err),
      )
    }
  }

  private report(level: 'warn' | 'error', message: string, code: string): void {
    try {
      this.options.onDiagnostic?.({ level, message, code })
    } catch {
      // a diagnostic sink must not break the run directory
    }
  }
}

/** Streams an events.jsonl into a run directory without holding the file in memory. */
export function replayInto(target: RunDirectory, eventsPath: string): DecodeStats {
  return readEventsFile(eventsPath, (event) => target.apply(event))
}
