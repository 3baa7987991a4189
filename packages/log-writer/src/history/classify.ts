/**
 * Places this run's tests in the history of earlier runs, test by test (a run of a few files
 * says nothing about the others):
 *
 * - a failure is `flaky` when an earlier run on the same code (commit and digest) passed it,
 *   else `known` when the last run that ran it failed it too (with since when and in how many
 *   runs in a row), `new` when that run passed it, `first` when no earlier run ran it;
 * - a test is `fixed` when it passes now and failed in the last run that ran it;
 * - a test is `slower` when it took at least SLOWER_MIN_MS and SLOWER_FACTOR times its median
 *   over the earlier runs that ran it (durations under the record's floor count as the floor).
 *
 * "Ran" means passed, failed, errored or xfailed/xpassed; a skipped test did not run.
 * Records are read newest first and reading stops once every test is placed.
 */
import {
  DURATION_FLOOR_MS,
  FAILING_LETTERS,
  letterOf,
  namesOf,
  RAN,
  type FileOutcomes,
} from '../run-model/outcomes.js'
import { keyOf, refOf } from '../run-model/summaries.js'
import {
  testKey,
  type FailureHistory,
  type HistoryView,
  type TestPlace,
} from '../run-model/insights.js'
import { sameCode, type CodeState } from './code-state.js'
import {
  HISTORY_RUNS,
  listRecords,
  readNames,
  readRecord,
  type RecordEntry,
} from './history-dir.js'
import { namesDigest, type FileRecord, type RunRecord } from './run-record.js'

export const SLOWER_MIN_MS = 1000
export const SLOWER_FACTOR = 3
/** Earlier durations a test's median is taken over. */
const DURATION_SAMPLES = 10
/** Most fixed and slower tests listed. */
const MAX_LISTED = 50

/** What is still to learn about one test of this run. */
interface Open {
  i: number
  failing: boolean
  /** The last run that ran it: its letter, once found. */
  last?: string
  /** Failing now and in every earlier run that ran it, back to `since`. */
  streak?: { runs: number; since: number; open: boolean }
  passedOnSameCode: number
  durations?: number[]
}

interface PendingFile {
  f: FileOutcomes
  digest: string
  /** The test names, parsed when first needed. */
  names?: string[]
  tests: Open[]
  /** Tests still needing earlier records. */
  open: Open[]
}

export interface Placement extends HistoryView {
  /** The records read (for the bench). */
  read: number
  /** Records that could not be read. */
  damaged: RecordEntry[]
  /** The runs it was placed among. */
  among: string[]
}

/**
 * Places the run's tests in the history at `dir`; `runId` and later runs are left out. `among`:
 * only these runs (the ones a run was placed among when it ended, to place it again the same
 * way, whatever runs that ran beside it added since).
 */
export function classify(
  dir: string,
  current: { runId: string; time: number; code: CodeState | null; among?: readonly string[] },
  files: FileOutcomes[],
  limit = HISTORY_RUNS,
): Placement {
  const among = current.among ? new Set(current.among) : undefined
  const earlier = listRecords(dir)
    .filter((r) => r.time < current.time || (r.time === current.time && r.runId < current.runId))
    .filter((r) => !among || among.has(r.runId))
    .slice(0, limit)
  const pending = files.map(pendingFile)
  let read = 0
  const namesCache = new Map<string, Map<string, number> | undefined>()
  const damaged: RecordEntry[] = []
  for (const entry of earlier) {
    if (!pending.some((p) => p.open.length)) break
    const record = readRecord(dir, entry)
    read++
    if (!record) damaged.push(entry)
    else placeIn(record, pending, current.code, (digest) => indexOfNames(dir, digest, namesCache))
  }
  return {
    ...viewOf(pending),
    runs: earlier.length,
    among: earlier.map((r) => r.runId),
    read,
    damaged,
  }
}

function pendingFile(f: FileOutcomes): PendingFile {
  const tests: Open[] = []
  for (let i = 0; i < f.statuses.length; i++) {
    const d = f.durations[i]
    tests.push({
      i,
      failing: FAILING_LETTERS.has(f.statuses[i]!),
      passedOnSameCode: 0,
      ...(d !== undefined && d >= SLOWER_MIN_MS ? { durations: [] } : {}),
    })
  }
  return { f, digest: namesDigest(f.namesJson), tests, open: [...tests] }
}

const namesOfPending = (p: PendingFile) => (p.names ??= namesOf(p.f))

function indexOfNames(
  dir: string,
  digest: string,
  cache: Map<string, Map<string, number> | undefined>,
): Map<string, number> | undefined {
  if (!cache.has(digest)) {
    const names = readNames(dir, digest)
    cache.set(digest, names ? new Map(names.map((n, i) => [n, i])) : undefined)
  }
  return cache.get(digest)
}

function placeIn(
  record: RunRecord,
  pending: PendingFile[],
  code: CodeState | null,
  names: (digest: string) => Map<string, number> | undefined,
): void {
  const byKey = new Map(record.files.map((f) => [keyOf(f), f]))
  const same = sameCode(record.code, code)
  for (const p of pending) {
    if (!p.open.length) continue
    const entry = byKey.get(keyOf(p.f))
    if (!entry) continue
    const index = entry.names === p.digest ? undefined : names(entry.names)
    if (entry.names !== p.digest && !index) continue // its names are lost: nothing to compare
    for (const t of p.open) {
      const j = index ? index.get(namesOfPending(p)[t.i]!) : t.i
      const letter = j === undefined ? undefined : entry.statuses[j]
      if (letter !== undefined && RAN.has(letter)) place(t, letter, entry, j!, record.time, same)
    }
    p.open = p.open.filter(stillOpen(code))
  }
}

function place(
  t: Open,
  letter: string,
  entry: FileRecord,
  j: number,
  time: number,
  same: boolean,
): void {
  const failed = FAILING_LETTERS.has(letter)
  if (t.last === undefined) {
    t.last = letter
    if (t.failing && failed) t.streak = { runs: 1, since: time, open: true }
  } else if (t.streak?.open) {
    if (failed) {
      t.streak.runs++
      t.streak.since = time
    } else t.streak.open = false
  }
  if (t.failing && same && letter === letterOf('passed')) t.passedOnSameCode++
  if (t.durations && t.durations.length < DURATION_SAMPLES)
    t.durations.push(entry.durations?.[j] ?? DURATION_FLOOR_MS)
}

const stillOpen = (code: CodeState | null) => (t: Open) =>
  t.last === undefined ||
  !!t.streak?.open ||
  (t.failing && code !== null && !t.passedOnSameCode) ||
  (t.durations !== undefined && t.durations.length < DURATION_SAMPLES)

function viewOf(pending: PendingFile[]): Omit<HistoryView, 'runs'> {
  const failures = new Map<string, FailureHistory>()
  const fixed: HistoryView['fixed'] = []
  const slower: HistoryView['slower'] = []
  for (const p of pending) {
    const { f, tests } = p
    const place = (i: number): TestPlace => ({ ...refOf(f), test: namesOfPending(p)[i]! })
    for (const t of tests) {
      if (t.failing) failures.set(testKey(place(t.i)), failureHistory(t))
      else if (
        f.statuses[t.i] === letterOf('passed') &&
        t.last &&
        FAILING_LETTERS.has(t.last) &&
        fixed.length < MAX_LISTED
      )
        fixed.push(place(t.i))
      const now = f.durations[t.i]
      if (t.durations?.length && now !== undefined) {
        const medianMs = median(t.durations)
        if (now >= SLOWER_FACTOR * medianMs && slower.length < MAX_LISTED)
          slower.push({ ...place(t.i), durationMs: Math.round(now), medianMs })
      }
    }
  }
  slower.sort((a, b) => b.durationMs / b.medianMs - a.durationMs / a.medianMs)
  return { failures, fixed, slower }
}

function failureHistory(t: Open): FailureHistory {
  if (t.passedOnSameCode) return { history: 'flaky', passedOnSameCode: t.passedOnSameCode }
  if (t.last === undefined) return { history: 'first' }
  if (!FAILING_LETTERS.has(t.last)) return { history: 'new' }
  return {
    history: 'known',
    since: new Date(t.streak!.since).toISOString(),
    failedRuns: t.streak!.runs + 1,
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2)
}
