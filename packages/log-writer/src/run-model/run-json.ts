/**
 * run.json: the run's summary for programs (test-run.md, for people and agents, is made from it).
 * Status first, then counts, then files, failing first. Lists are bounded, however large the run.
 */
import type { Counts, FileMode, RunStartEvent, TestError } from '@threepio/core'
import { formatDuration, formatTests, oneLine } from './log-format.js'
import { rerunCommand, type RerunRunner } from './rerun.js'
import {
  type FailureSummary,
  type FileSummary,
  type RunState,
  type SummaryStatus,
} from './run-state.js'

/** Most files listed in run.json. */
export const MAX_FILES_JSON = 1000
/** Lines of an error shown in summaries. */
const ERROR_LINES = 10
const LINE_CHARS = 160

/** run.json: the summary, machine-readable. */
export interface RunSummaryJson {
  schema: 2
  runId: string | null
  status: SummaryStatus
  /** Tests and files in one line, as the closing line and test-run.md show them. */
  headline: string
  /** The closing line without its `threepio: ` prefix and summary path (every runner prints it). */
  closing: string
  /** A round of a watch session: it may cover only some files. */
  watch?: NonNullable<RunStartEvent['watch']>
  runner: { name: string; version: string } | null
  reporter: { name: string; version: string } | null
  command: string[]
  rootDir: string | null
  startedAt: string | null
  durationMs: number
  reason?: string
  /** Tests by final status. */
  counts: Counts
  /** Teardown errors of tests that had already failed (pytest counts each as an error). */
  teardownErrors: number
  flaky: number
  /**
   * Files by status; `error` is a file that failed to load or collect; `skippedAsWhole` counts
   * the skipped files that were skipped as a whole (a module-level skip), which have no tests.
   */
  files: Record<FileSummary['status'] | 'total' | 'skippedAsWhole' | 'notStarted', number>
  failures: Array<{
    file: string
    project?: string
    mode?: FileMode
    test?: string
    status: string
    teardown?: boolean
    message: string
    /** Line in the test file where it failed (or where the test is), when known. */
    line?: number
    /** The command that reruns just this test from the project root. */
    rerun?: string
    log: string
  }>
  failuresTotal: number
  fileList: Array<{
    file: string
    project?: string
    mode?: FileMode
    status: FileSummary['status']
    counts: Counts
    teardownErrors?: number
    skipReason?: string
    failedToLoad?: boolean
    durationMs?: number
    log: string
    error?: string
    runningTest?: string
  }>
  fileListTotal: number
  /** Why tests were skipped, todo or expected to fail (bounded; most frequent first). */
  reasons: Array<{ reason: string; status: string; count: number }>
  diagnostics: { total: number; messages: string[] }
  events: { lastSeq: number; skippedLines: number }
}

export const FAILING = new Set<FileSummary['status']>(['failed', 'error', 'unfinished'])

/** Failing files first (in the order they ran), then the others. */
export function orderedFiles(state: RunState): { failing: FileSummary[]; other: FileSummary[] } {
  const failing: FileSummary[] = []
  const other: FileSummary[] = []
  for (const f of state.files.values()) (FAILING.has(f.status) ? failing : other).push(f)
  return { failing, other }
}

/** The first lines of an error, for summaries. */
export function errorHead(error: TestError | undefined): string {
  if (!error) return ''
  const text =
    error.diff && !error.message.includes(error.diff)
      ? `${error.message}\n${error.diff}`
      : error.message
  const lines = oneLineEach(text)
    .split('\n')
    .filter((l) => l.trim() !== '')
  // The first lines, then the lines that say what differs: a diff's `- expected` / `+ received`
  // lines (not its context) and pytest's `>` source and `E` error lines.
  const telling = (l: string) => /^\s*(?:[-+](?:\s|$)|>\s|E\s)/.test(l)
  const head: string[] = []
  let left = 0
  for (const [i, l] of lines.entries()) {
    if (head.length < ERROR_LINES && (i < 3 || telling(l))) head.push(l)
    else left++
  }
  const out = head.map((l) => (l.length > LINE_CHARS ? l.slice(0, LINE_CHARS) + '…' : l))
  if (left) out.push(`… ${left} more line(s) in the log`)
  return out.join('\n')
}

function oneLineEach(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => oneLine(l))
    .join('\n')
    .replace(/^\n+|\n+$/g, '')
}

function fileCounts(state: RunState): RunSummaryJson['files'] {
  const files = {
    total: 0,
    passed: 0,
    failed: 0,
    skipped: 0,
    error: 0,
    running: 0,
    unfinished: 0,
    skippedAsWhole: 0,
    notStarted: 0,
  }
  for (const f of state.files.values()) {
    files.total++
    files[f.status]++
    if (f.status === 'skipped' && f.skipReason !== undefined) files.skippedAsWhole++
  }
  // A run cut short: the files the runner was given that never started. (A run that ended as
  // it should ran every file it meant to, whatever it counted as a file beforehand.)
  const given = state.start?.files
  if (given !== undefined && state.status !== 'PASSED' && state.status !== 'FAILED')
    files.notStarted = Math.max(0, given - files.total)
  return files
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/**
 * `1 failed, 3 passed · 2 of 5 files failed (1 failed to load)`: the run's tests and files in
 * one line. The closing line, test-run.md, `threepio report` and run.json all use this one.
 */
export function headline(t: {
  counts: Counts
  teardownErrors: number
  files: RunSummaryJson['files']
}): string {
  const f = t.files
  const failing = f.failed + f.error
  const base = failing ? `${failing} of ${plural(f.total, 'file')} failed` : plural(f.total, 'file')
  const others = [
    f.unfinished ? `${f.unfinished} unfinished` : '',
    f.notStarted ? `${f.notStarted} not started` : '',
    f.running ? `${f.running} running` : '',
    f.skipped ? `${f.skipped} skipped` : '',
  ].filter(Boolean)
  const files =
    base + (f.error ? ` (${f.error} failed to load)` : '') + others.map((o) => `, ${o}`).join('')
  return `${formatTests(t.counts, t.teardownErrors)} · ${files}`
}

/** `FAILED`, or `PASSED (watch rerun of 2 files)` for a round of a watch session. */
export function statusLabel(status: SummaryStatus, watch?: RunStartEvent['watch']): string {
  if (!watch) return status
  const what =
    watch.round > 1
      ? `watch rerun of ${plural(watch.files, 'file')}`
      : `watch mode, first run of ${plural(watch.files, 'file')}`
  return `${status} (${what})`
}

/** run.json from the state. */
export function summaryJson(state: RunState): RunSummaryJson {
  const { failing, other } = orderedFiles(state)
  const all = [...failing, ...other]
  const start = state.start
  const counts = state.counts
  const files = fileCounts(state)
  const head = headline({ counts, teardownErrors: state.teardownErrors, files })
  return {
    schema: 2,
    runId: start?.runId ?? null,
    status: state.status,
    headline: head,
    closing: `${statusLabel(state.status, start?.watch)} · ${head} · ${formatDuration(state.durationMs)}`,
    ...(start?.watch ? { watch: start.watch } : {}),
    runner: start?.runner ?? null,
    reporter: start?.reporter ?? null,
    command: start?.argv ?? [],
    rootDir: start?.rootDir ?? null,
    startedAt: start ? new Date(start.time).toISOString() : null,
    durationMs: state.durationMs,
    ...(state.end?.reason ? { reason: state.end.reason } : {}),
    counts: { ...counts },
    teardownErrors: state.teardownErrors,
    flaky: state.flaky,
    files,
    failures: state.failures.map((f) => {
      const rerun = rerunFor(start?.runner, f)
      return {
        file: f.file,
        ...(f.project ? { project: f.project } : {}),
        ...(f.mode ? { mode: f.mode } : {}),
        ...(f.test !== undefined ? { test: f.test } : {}),
        status: f.status,
        ...(f.teardown ? { teardown: true } : {}),
        message: errorHead(f.error),
        ...(f.line !== undefined ? { line: f.line } : {}),
        ...(rerun ? { rerun } : {}),
        log: f.log,
      }
    }),
    failuresTotal: state.failuresTotal,
    fileList: all.slice(0, MAX_FILES_JSON).map((f) => ({
      file: f.file,
      ...(f.project ? { project: f.project } : {}),
      ...(f.mode ? { mode: f.mode } : {}),
      status: f.status,
      counts: f.counts,
      ...(f.teardownErrors ? { teardownErrors: f.teardownErrors } : {}),
      ...(f.skipReason !== undefined ? { skipReason: f.skipReason } : {}),
      ...(f.failedToLoad ? { failedToLoad: true } : {}),
      ...(f.durationMs !== undefined ? { durationMs: f.durationMs } : {}),
      log: f.log,
      ...(f.error ? { error: errorHead(f.error) } : {}),
      ...(f.runningTest !== undefined ? { runningTest: f.runningTest } : {}),
    })),
    fileListTotal: all.length,
    reasons: state.reasons.map((r) => ({ ...r })),
    diagnostics: { total: state.diagnosticsTotal, messages: [...state.diagnostics] },
    events: { lastSeq: state.lastSeq, skippedLines: state.skippedLines },
  }
}

/** The command that reruns just this failure. */
export function rerunFor(runner: RerunRunner, f: FailureSummary): string | undefined {
  return rerunCommand(runner, {
    file: f.file,
    ...(f.project ? { project: f.project } : {}),
    ...(f.mode ? { mode: f.mode } : {}),
    ...(f.testId !== undefined ? { testId: f.testId } : {}),
    ...(f.ref ? { ref: f.ref } : {}),
  })
}
