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
import { historyDirOf, listRecords, readRecord, recordBytes } from '../../history/history-dir.js'

/** Runs in the chart. */
export const CHART_RUNS = 20
/** The most the chart reads of the history's records, in bytes on disk (gzipped). */
export const CHART_MAX_BYTES = 8 * 1024 * 1024

export interface ChartRun {
  runId: string
  time: number
  status: string
  durationMs: number
  passed: number
  failed: number
}

/** The chart's runs, oldest first; empty on a first run, or where the history is too large. */
export function runHistory(runDir: string, state: RunState): ChartRun[] {
  const among = state.history?.among
  const runId = state.start?.runId
  if (!among?.length || !runId) return []
  const wanted = new Set([runId, ...among.slice(0, CHART_RUNS - 1)])
  const dir = historyDirOf(dirname(dirname(runDir)))
  const entries = listRecords(dir).filter((e) => wanted.has(e.runId))
  const bytes = entries.reduce((n, e) => n + recordBytes(dir, e), 0)
  if (bytes > CHART_MAX_BYTES) return []
  const out: ChartRun[] = []
  for (const entry of entries) {
    const record = readRecord(dir, entry)
    if (!record) continue
    let passed = 0
    let failed = 0
    for (const f of record.files)
      for (const l of f.statuses) {
        if (FAILING_LETTERS.has(l)) failed++
        else if (l === 'p') passed++
      }
    const { runId, time, status, durationMs } = record
    out.push({ runId, time, status, durationMs, passed, failed })
  }
  return out.reverse()
}
