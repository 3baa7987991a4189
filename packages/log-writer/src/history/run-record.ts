/**
 * One run as the history keeps it: who ran what on which code, and per test file the status of
 * each test (one letter each), the durations of the slower ones, attempts of retried ones and the
 * cause of failing ones. The test names of a file are kept apart, once per distinct list
 * (history-dir.ts), and named by a digest: a suite whose tests did not change costs a few bytes
 * per file and run.
 */
import { createHash } from 'node:crypto'
import type { FileMode } from '@threepio/core'
import type { FileOutcomes } from '../run-model/outcomes.js'
import { refOf } from '../run-model/summaries.js'
import type { RunState, SummaryStatus } from '../run-model/run-state.js'
import type { CodeState } from './code-state.js'

/** Version of the record format. */
export const RECORD_VERSION = 1

export interface FileRecord {
  file: string
  project?: string
  mode?: FileMode
  /** Digest of the file's test names (history-dir.ts keeps the list). */
  names: string
  /** One letter per test. */
  statuses: string
  /** Durations in ms of tests that took at least DURATION_FLOOR_MS, by index. */
  durations?: Record<number, number>
  /** Attempts of retried tests, by index. */
  attempts?: Record<number, number>
  /** Index into the run's `signatures`, by index of a failing test. */
  causes?: Record<number, number>
}

export interface RunRecord {
  version: typeof RECORD_VERSION
  runId: string
  /** Start, ms since the epoch. */
  time: number
  durationMs: number
  runner: { name: string; version: string } | null
  command: string[]
  rootDir: string | null
  /** Projects the run's files belonged to (Vitest or Jest projects), when it had any. */
  projects: string[]
  status: SummaryStatus
  /** Interrupted, incomplete or a watch round: it may not have run every file it meant to. */
  partial: boolean
  code: CodeState | null
  signatures: string[]
  files: FileRecord[]
  /** The earlier runs it was placed among at its end (absent for a record rebuilt later). */
  among?: string[]
}

/** The digest of a list of test names (as JSON). */
export function namesDigest(namesJson: string): string {
  return createHash('sha256').update(namesJson).digest('hex').slice(0, 20)
}

/** The record of a finished run, with the name lists (digest → JSON) it refers to. */
export function recordOf(
  state: RunState,
  code: CodeState | null,
  among?: string[],
): { record: RunRecord; names: Map<string, string> } {
  const signatures: string[] = []
  const signatureIndex = new Map<string, number>()
  const causeOf = (s: string) => {
    let i = signatureIndex.get(s)
    if (i === undefined) signatureIndex.set(s, (i = signatures.push(s) - 1))
    return i
  }
  const names = new Map<string, string>()
  const projects = new Set<string>()
  const files = state.outcomes.files().map((f) => {
    if (f.project) projects.add(f.project)
    const digest = namesDigest(f.namesJson)
    names.set(digest, f.namesJson)
    return fileRecord(f, digest, causeOf)
  })
  const status = state.status
  return {
    record: {
      version: RECORD_VERSION,
      runId: state.start?.runId ?? 'unknown',
      time: state.start?.time ?? 0,
      durationMs: Math.round(state.durationMs),
      runner: state.start?.runner ?? null,
      command: state.start?.argv ?? [],
      rootDir: state.start?.rootDir ?? null,
      projects: [...projects],
      status,
      partial: (status !== 'PASSED' && status !== 'FAILED') || !!state.start?.watch,
      code,
      signatures,
      files,
      ...(among ? { among } : {}),
    },
    names,
  }
}

function fileRecord(f: FileOutcomes, digest: string, cause: (s: string) => number): FileRecord {
  const causes: Record<number, number> = {}
  for (const [i, sig] of Object.entries(f.signatures)) causes[Number(i)] = cause(sig)
  const some = (o: object) => Object.keys(o).length > 0
  return {
    ...refOf(f),
    names: digest,
    statuses: f.statuses,
    ...(some(f.durations) ? { durations: f.durations } : {}),
    ...(some(f.attempts) ? { attempts: f.attempts } : {}),
    ...(some(causes) ? { causes } : {}),
  }
}
