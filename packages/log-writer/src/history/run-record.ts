/**
 * One run as the history keeps it: who ran what on which code, and per test file the status of
 * each test (one letter each), the durations of the slower ones, attempts of retried ones and the
 * cause of failing ones. The test names of a file are kept apart, once per distinct list
 * (history-dir.ts), and named by a digest: a suite whose tests did not change costs a few bytes
 * per file and run.
 */
import { createHash } from 'node:crypto'
import { TEST_STATUSES, type FileMode, type TestStatus } from '@threepio/core'
import type { FileOutcomes } from '../run-model/outcomes.js'
import type { RunState, SummaryStatus } from '../run-model/run-state.js'
import type { CodeState } from './code-state.js'

/** Version of the record format. */
export const RECORD_VERSION = 1
/** Durations below this are kept as "fast" (absent): most tests are, and it keeps records small. */
export const DURATION_FLOOR_MS = 50

/** One letter per status, in the order of TEST_STATUSES. */
const LETTERS = 'fepstxX'
export const letterOf = (s: TestStatus) => LETTERS[TEST_STATUSES.indexOf(s)] ?? '?'
export const statusOfLetter = (l: string): TestStatus | undefined =>
  TEST_STATUSES[LETTERS.indexOf(l)]
/** Letters of the statuses that mean the test ran (not skipped, not todo). */
export const RAN = new Set(['f', 'e', 'p', 'x', 'X'])
export const FAILING_LETTERS = new Set(['f', 'e'])

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
}

/** The digest of a list of test names. */
export function namesDigest(names: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(names)).digest('hex').slice(0, 20)
}

/** The record of a finished run, with the name lists it refers to. */
export function recordOf(
  state: RunState,
  code: CodeState | null,
): { record: RunRecord; names: Map<string, readonly string[]> } {
  const signatures: string[] = []
  const signatureIndex = new Map<string, number>()
  const names = new Map<string, readonly string[]>()
  const projects = new Set<string>()
  const files = state.outcomes.files().map((f) => {
    if (f.project) projects.add(f.project)
    const digest = namesDigest(f.names)
    names.set(digest, f.names)
    return fileRecord(f, digest, (s) => {
      let i = signatureIndex.get(s)
      if (i === undefined) signatureIndex.set(s, (i = signatures.push(s) - 1))
      return i
    })
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
    },
    names,
  }
}

function fileRecord(f: FileOutcomes, digest: string, cause: (s: string) => number): FileRecord {
  const durations: Record<number, number> = {}
  const attempts: Record<number, number> = {}
  const causes: Record<number, number> = {}
  let statuses = ''
  f.statuses.forEach((s, i) => {
    statuses += letterOf(s)
    const d = f.durations[i]
    if (d !== undefined && d >= DURATION_FLOOR_MS) durations[i] = Math.round(d)
    if ((f.attempts[i] ?? 1) > 1) attempts[i] = f.attempts[i]!
    const sig = f.signatures[i]
    if (sig !== undefined && (s === 'failed' || s === 'error')) causes[i] = cause(sig)
  })
  const some = (o: object) => Object.keys(o).length > 0
  return {
    file: f.file,
    ...(f.project ? { project: f.project } : {}),
    ...(f.mode ? { mode: f.mode } : {}),
    names: digest,
    statuses,
    ...(some(durations) ? { durations } : {}),
    ...(some(attempts) ? { attempts } : {}),
    ...(some(causes) ? { causes } : {}),
  }
}
