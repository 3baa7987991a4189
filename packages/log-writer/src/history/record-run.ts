/**
 * The history at a run's end: the run is placed among the earlier runs (its state's `history`,
 * which run.json and test-run.md show), then added as a record. A missing history is rebuilt
 * first from the run directories still kept, and a damaged record from its run directory.
 */
import { existsSync, readdirSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { EVENTS_FILE, readEventsFile, RUN_ID_PATTERN, RUNS_DIR } from '@threepio/core'
import { RunState } from '../run-model/run-state.js'
import { classify } from './classify.js'
import { codeState } from './code-state.js'
import {
  historyDirOf,
  listRecords,
  pruneHistory,
  readRecord,
  removeRecord,
  writeRecord,
  type RecordEntry,
} from './history-dir.js'
import { recordOf } from './run-record.js'

export interface HistoryOptions {
  /** `record`: place the run and add it; `read`: place it only (a run directory rebuilt). */
  mode: 'record' | 'read'
}

/**
 * Places the run in the history of its output directory (`<outputDir>/runs/<id>` is `runDir`)
 * and, in `record` mode, adds it. Returns a problem to report; never throws.
 */
export function historyAtEnd(
  runDir: string,
  state: RunState,
  options: HistoryOptions,
): string | undefined {
  const runId = state.start?.runId
  if (!runId || !state.end) return undefined // a run cut off without its end is not placed live
  const outputDir = dirname(dirname(runDir))
  const dir = historyDirOf(outputDir)
  try {
    if (options.mode === 'record' && !existsSync(dir)) rebuildHistory(outputDir, runId)
    // A run placed again later (threepio report) is placed as it was at its end: on the code
    // its record names, not today's, among the runs it was placed among then.
    const own = options.mode === 'read' ? ownRecord(dir, runId) : undefined
    const code =
      options.mode === 'read'
        ? (own?.code ?? null)
        : state.start?.rootDir
          ? codeState(state.start.rootDir)
          : null
    const time = state.start!.time
    const placed = classify(
      dir,
      { runId, time, code, ...(own?.among ? { among: own.among } : {}) },
      state.outcomes.files(),
    )
    state.history = {
      runs: placed.runs,
      among: placed.among,
      failures: placed.failures,
      fixed: placed.fixed,
      slower: placed.slower,
    }
    if (options.mode === 'read') return undefined
    for (const id of placed.damaged) repairRecord(outputDir, id)
    const { record, names } = recordOf(state, code, placed.among)
    writeRecord(dir, record, names)
    pruneHistory(dir)
    return undefined
  } catch (err) {
    return `could not update the history of runs in ${dir}: ${(err as Error).message}`
  }
}

function ownRecord(dir: string, runId: string) {
  const entry = listRecords(dir).find((r) => r.runId === runId)
  return entry ? readRecord(dir, entry) : undefined
}

/** Records for the kept run directories (oldest first), other than `except`. */
export function rebuildHistory(outputDir: string, except?: string): number {
  const dir = historyDirOf(outputDir)
  const have = new Set(listRecords(dir).map((r) => r.runId))
  let added = 0
  let ids: string[] = []
  try {
    ids = readdirSync(join(outputDir, RUNS_DIR)).filter((id) => RUN_ID_PATTERN.test(id))
  } catch {
    // no run directories: nothing to rebuild from
  }
  for (const id of ids) {
    if (id === except || have.has(id)) continue
    if (addFromRunDirectory(outputDir, id)) added++
  }
  return added
}

/** A damaged record: rebuilt from its run directory when that is kept, else removed. */
function repairRecord(outputDir: string, entry: RecordEntry): void {
  removeRecord(historyDirOf(outputDir), entry)
  addFromRunDirectory(outputDir, entry.runId)
}

function addFromRunDirectory(outputDir: string, runId: string): boolean {
  const events = join(outputDir, RUNS_DIR, runId, EVENTS_FILE)
  if (!existsSync(events)) return false
  const state = new RunState()
  readEventsFile(events, (e) => state.apply(e))
  state.finish()
  // A run still going (or killed before its end) is not history: it adds itself when it ends.
  if (!state.end || state.start?.runId !== basename(dirname(events))) return false
  // The code those runs ran is not known now: they count for new, known and fixed, not flaky.
  const { record, names } = recordOf(state, null)
  writeRecord(historyDirOf(outputDir), record, names, true)
  return true
}
