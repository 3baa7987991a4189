/**
 * Rebuilding a run directory from its events.jsonl (`threepio report`): the same code path as a
 * live run, so a finished run rebuilt gives byte-for-byte the files the live run wrote.
 */
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import {
  EVENTS_FILE,
  LOGS_DIR,
  SUMMARY_JSON,
  SUMMARY_MD,
  type DecodeStats,
  type WriterDiagnostic,
} from '@threepio/core'
import { replayInto, RunDirectory } from './run-directory.js'
import type { RunState } from '../run-model/run-state.js'

const LEFTOVER = new RegExp(
  `^(${[SUMMARY_JSON, SUMMARY_MD].map((n) => n.replace(/\./g, '\\.')).join('|')})\\.\\d+$`,
)

export interface RebuildResult {
  state: RunState
  /** What the decoder skipped in events.jsonl. */
  stats: DecodeStats
}

/**
 * Rewrites the logs, test-run.md and run.json of `runDir` from its events.jsonl. A log without
 * run-end gives an INCOMPLETE run. Throws only when events.jsonl cannot be read.
 */
export function rebuildRun(
  runDir: string,
  onDiagnostic?: (d: WriterDiagnostic) => void,
  /** `record` adds the run to the history (a run merged from shards); default `read`. */
  history: 'read' | 'record' = 'read',
): RebuildResult {
  rmSync(join(runDir, LOGS_DIR), { recursive: true, force: true })
  // Temporary files of an atomic write that a kill interrupted (write-file-atomic: `<name>.<n>`).
  for (const name of readdirSync(runDir))
    if (LEFTOVER.test(name)) rmSync(join(runDir, name), { force: true })
  const target = new RunDirectory(runDir, {
    mode: 'replay',
    history,
    ...(onDiagnostic ? { onDiagnostic } : {}),
  })
  const stats = replayInto(target, join(runDir, EVENTS_FILE))
  target.finish({ skipped: stats })
  return { state: target.state, stats }
}
