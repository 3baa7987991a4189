/**
 * run.json: the run's summary for programs (test-run.md, for people and agents, is made from it).
 * Status first, then counts, then files, failing first. Lists are bounded, however large the run.
 */
import type { Counts, FileMode, RunStartEvent } from '@threepio/core'
import { errorHead } from './error-head.js'
import { formatDuration, formatTests } from './log-format.js'
import { rerunCommand, type RerunRunner } from './rerun.js'
import {
  causesJson,
  failureHistory,
  slowestJson,
  type CauseJson,
  type FailureHistory,
  type HistoryView,
} from './insights.js'
import {
  type FailureSummary,
  type FileSummary,
  type RunState,
  type SummaryStatus,
} from './run-state.js'

/** Most files listed in run.json. */
export const MAX_FILES_JSON = 1000

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
  failures: Array<
    {
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
      /** Index of its cause in `causes`. */
      cause?: number
    } & Partial<FailureHistory>
  >
  failuresTotal: number
  /** Failures grouped by cause, most failures first (bounded; `causesTotal` counts them all). */
  causes: CauseJson[]
  causesTotal: number
  /** The slowest tests and files of this run. */
  slowest: ReturnType<typeof slowestJson>
  /**
   * From the history of earlier runs in this output directory (absent without one): how many
   * runs it compared with, failures new to it, tests fixed and tests that became much slower.
   */
  history?: {
    runs: number
    newFailures: number
    fixed: HistoryView['fixed']
    slower: HistoryView['slower']
  }
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
  /** Output the runner gave with no file or test (Vitest's browser mode, outside a test). */
  events: { lastSeq: number; skippedLines: number; unattributedOutput?: number }
}

export { errorHead }

export const FAILING = new Set<FileSummary['status']>(['failed', 'error', 'unfinished'])

/** Failing files first (in the order they ran), then the others. */
export function orderedFiles(state: RunState): { failing: FileSummary[]; other: FileSummary[] } {
  const failing: FileSummary[] = []
  const other: FileSummary[] = []
  for (const f of state.files.values()) (FAILING.has(f.status) ? failing : other).push(f)
  return { failing, other }
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
  /** Failures that were not failing before this run (shown when history is known). */
  newFailures?: number
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
  let tests = formatTests(t.counts, t.teardownErrors)
  const failingParts = (t.counts.failed ? 1 : 0) + (t.counts.error ? 1 : 0)
  if (t.newFailures !== undefined && failingParts) {
    const parts = tests.split(', ')
    parts[failingParts - 1] += ` (${t.newFailures} new)`
    tests = parts.join(', ')
  }
  return `${tests} · ${files}`
}

/** Failures not failing before this run (`new` and `first`), when there is history to say so. */
export function newFailures(view: HistoryView | undefined): number | undefined {
  if (!view || !view.runs) return undefined
  let n = 0
  for (const f of view.failures.values()) if (f.history === 'new' || f.history === 'first') n++
  return n
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
  const view = state.history
  const fresh = newFailures(view)
  const head = headline({
    counts,
    teardownErrors: state.teardownErrors,
    files,
    ...(fresh !== undefined ? { newFailures: fresh } : {}),
  })
  const causes = causesJson(state, view)
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
    failures: failuresJson(state, causes),
    failuresTotal: state.failuresTotal,
    causes,
    causesTotal: state.causes.size,
    slowest: slowestJson(state.outcomes),
    ...(view
      ? {
          history: {
            runs: view.runs,
            newFailures: fresh ?? 0,
            fixed: view.fixed,
            slower: view.slower,
          },
        }
      : {}),
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
    events: {
      lastSeq: state.lastSeq,
      skippedLines: state.skippedLines,
      ...(state.unattributedOutput ? { unattributedOutput: state.unattributedOutput } : {}),
    },
  }
}

/** The failures kept in detail, each with its cause and its place in history. */
function failuresJson(state: RunState, causes: CauseJson[]): RunSummaryJson['failures'] {
  const start = state.start
  const view = state.history
  const causeIndex = new Map(causes.map((c, i) => [c.signature, i]))
  return state.failures.map((f) => {
    const rerun = rerunFor(start?.runner, f)
    const cause = f.signature !== undefined ? causeIndex.get(f.signature) : undefined
    return {
      ...failureHistory(view, f),
      ...(cause !== undefined ? { cause } : {}),
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
      ...(cause !== undefined ? { cause } : {}),
      ...failureHistory(view, f),
    }
  })
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
