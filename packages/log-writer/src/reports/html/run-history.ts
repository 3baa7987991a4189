/**
 * The run's place in its project's history, for report.html's chart: this run and the runs it
 * was placed among at its end (so that a rebuilt page shows what the live one showed), each
 * with its status, how many of its tests passed and failed, and how long it took. Records are
 * read whole, so the chart reads them only while they are small together; a larger history is
 * left to `threepio history` and `diff`.
 */
import { dirname } from 'node:path'
import { FAILING_LETTERS } from '../../run-model/outcomes.js'
import type { RunState } from '../../run-model/run-state.js'
import {
  historyDirOf,
  listRecords,
  readNames,
  readRecord,
  recordBytes,
} from '../../history/history-dir.js'
import type { RunRecord } from '../../history/run-record.js'
import { fileKey } from '../../run-model/summaries.js'

/** Runs in the chart. */
export const CHART_RUNS = 20
/** The most the chart reads of the history's records, in bytes on disk (gzipped). */
export const CHART_MAX_BYTES = 8 * 1024 * 1024

/** The run's history for the page: the chart's runs, and each test's outcomes in the earlier ones. */
export interface RunHistory {
  chart: ChartRun[]
  /**
   * By file key, then test name: one letter per earlier run of the chart, oldest first (`·`
   * where the test did not run).
   */
  past: Map<string, Map<string, string>>
}

export interface ChartRun {
  runId: string
  time: number
  status: string
  durationMs: number
  passed: number
  failed: number
}

/** The chart's runs, oldest first; empty on a first run, or where the history is too large. */
export function runHistory(runDir: string, state: RunState): RunHistory {
  const none: RunHistory = { chart: [], past: new Map() }
  const among = state.history?.among
  const runId = state.start?.runId
  if (!among?.length || !runId) return none
  const wanted = new Set([runId, ...among.slice(0, CHART_RUNS - 1)])
  const dir = historyDirOf(dirname(dirname(runDir)))
  const entries = listRecords(dir).filter((e) => wanted.has(e.runId))
  const bytes = entries.reduce((n, e) => n + recordBytes(dir, e), 0)
  if (bytes > CHART_MAX_BYTES) return none
  const out: ChartRun[] = []
  const records = entries.flatMap((e) => readRecord(dir, e) ?? []).reverse()
  for (const record of records) {
    let passed = 0
    let failed = 0
    for (const f of record.files)
      for (const l of f.statuses) {
        if (FAILING_LETTERS.has(l)) failed++
        else if (l === 'p') passed++
      }
    out.push({
      runId: record.runId,
      time: record.time,
      status: record.status,
      durationMs: record.durationMs,
      passed,
      failed,
    })
  }
  const earlier = records.filter((r) => r.runId !== runId)
  return { chart: out, past: pastOutcomes(dir, earlier, new Set(state.files.keys())) }
}

/** Each test's letters in `records` (oldest first), for the files of this run only. */
function pastOutcomes(dir: string, records: RunRecord[], keys: Set<string>) {
  const past = new Map<string, Map<string, string>>()
  const names = new Map<string, string[] | undefined>()
  for (const [r, record] of records.entries()) {
    for (const f of record.files) {
      const key = fileKey(f.file, f.project, f.mode)
      if (!keys.has(key)) continue
      if (!names.has(f.names)) names.set(f.names, readNames(dir, f.names))
      const list = names.get(f.names)
      if (!list) continue
      let tests = past.get(key)
      if (!tests) past.set(key, (tests = new Map()))
      for (const [i, name] of list.entries())
        tests.set(name, (tests.get(name) ?? '').padEnd(r, '·') + (f.statuses[i] ?? '·'))
    }
  }
  for (const tests of past.values())
    for (const [name, letters] of tests) tests.set(name, letters.padEnd(records.length, '·'))
  return past
}
