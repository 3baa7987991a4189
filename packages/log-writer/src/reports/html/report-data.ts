/**
 * What report.html shows, from a run's state: run.json (status, counts, failures by cause, their
 * place in history, slowest) and every file with every test (names, one status letter each,
 * durations of 50 ms and more), in the compact form the history keeps them in.
 */
import { cleanText } from '../../run-model/log-format.js'
import { keyOf } from '../../run-model/summaries.js'
import { namesOf } from '../../run-model/outcomes.js'
import { summaryJson, type RunSummaryJson } from '../../run-model/run-json.js'
import { testKey, type HistoryView } from '../../run-model/insights.js'
import type { RunState } from '../../run-model/run-state.js'
import type { ChartRun, RunHistory } from './run-history.js'
import { failureLogs } from './failure-logs.js'

export interface ReportFile {
  file: string
  project?: string
  mode?: string
  status: string
  log: string
  durationMs?: number
  /** Why the file failed outside its tests, first lines. */
  error?: string
  names: string[]
  /** One letter per test: f failed, e error, p passed, s skipped, t todo, x xfailed, X xpassed. */
  statuses: string
  /** Durations (ms) of the tests that took 50 ms or more, by index. */
  durations: Record<number, number>
  /** Where history places a test, by index: n new, k known, F flaky, S much slower. */
  marks: Record<number, string>
  /**
   * A test's outcomes in the chart's earlier runs, oldest first (`·`: not run), by index: those
   * of the tests whose outcomes differ from {@link ReportFile.pastMost} (`''`: none).
   */
  past: Record<number, string>
  /** The outcomes most of the file's tests share, written once (absent when that is none). */
  pastMost?: string
}

export interface ReportData {
  run: Omit<RunSummaryJson, 'fileList'>
  files: ReportFile[]
  /** The last runs of the project's history, oldest first (run-history.ts). */
  chart: ChartRun[]
  /** Each kept failure's part of its log, by its index in `run.failures` (failure-logs.ts). */
  failureLogs: string[]
}

/** The page's data; with `runDir`, each failure's part of its log too. */
export function reportData(
  state: RunState,
  history: RunHistory = { chart: [], past: new Map() },
  runDir?: string,
): ReportData {
  const { fileList: _omitted, ...run } = summaryJson(state)
  const outcomes = new Map(state.outcomes.files().map((o) => [keyOf(o), o]))
  const files = [...state.files.values()].map((f): ReportFile => {
    const o = outcomes.get(keyOf(f))
    const tests = o
      ? { names: namesOf(o), statuses: o.statuses, durations: o.durations }
      : state.testsSoFar(f)
    return {
      file: f.file,
      ...(f.project !== undefined ? { project: f.project } : {}),
      ...(f.mode !== undefined ? { mode: f.mode } : {}),
      status: f.status,
      log: f.log,
      ...(f.durationMs !== undefined ? { durationMs: f.durationMs } : {}),
      ...(f.error ? { error: f.error.message.split('\n').slice(0, 20).join('\n') } : {}),
      ...tests,
      // Shown without terminal escapes and control characters, as the logs show them.
      names: tests.names.map(cleanText),
      marks: marksOf(state.history, f, tests.names),
      ...pastOf(history.past.get(keyOf(f)), tests.names),
    }
  })
  return {
    run,
    files,
    chart: history.chart,
    failureLogs: runDir ? failureLogs(runDir, run.failures) : [],
  }
}

/**
 * The file's tests' outcomes in the earlier runs: the letters most of them share, once, and by
 * index those of the others. Most tests of a file have the same history (passed every time), so
 * a full chart adds a few bytes a test rather than a letter a test and run.
 */
function pastOf(
  tests: Map<string, string> | undefined,
  names: string[],
): Pick<ReportFile, 'past' | 'pastMost'> {
  const letters = names.map((name) => tests?.get(name) ?? '')
  const counts = new Map<string, number>()
  let most = ''
  for (const l of letters) {
    counts.set(l, (counts.get(l) ?? 0) + 1)
    if (counts.get(l)! > (counts.get(most) ?? 0)) most = l
  }
  const past: Record<number, string> = {}
  for (const [i, l] of letters.entries()) if (l !== most) past[i] = l
  return most ? { past, pastMost: most } : { past }
}

const MARK = { new: 'n', first: '', known: 'k', flaky: 'F' } as const

/** The history's words for a file's tests (only once there is history to tell). */
function marksOf(
  view: HistoryView | undefined,
  ref: { file: string; project?: string; mode?: string },
  names: string[],
): Record<number, string> {
  const marks: Record<number, string> = {}
  if (!view?.runs) return marks
  const slower = new Set(view.slower.map((t) => testKey(t)))
  if (!view.failures.size && !slower.size) return marks
  for (const [i, test] of names.entries()) {
    const key = testKey({ ...ref, test })
    const mark =
      (MARK[view.failures.get(key)?.history ?? 'first'] ?? '') + (slower.has(key) ? 'S' : '')
    if (mark) marks[i] = mark
  }
  return marks
}
