/**
 * Every test's last outcome in the run, file by file, as its file closes: what the history of
 * runs keeps, in the compact form it keeps it (about 50 bytes a test until the run ends). A test
 * is named as its log names it (`name (#2)` for a second of one name).
 */
import { TEST_STATUSES, type FileMode, type TestStatus } from '@threepio/core'
import { keyOf, refOf, type FileSummary } from './summaries.js'
import type { TestRecord } from './tally.js'

/** Durations below this are kept as "fast" (absent): most tests are, and records stay small. */
export const DURATION_FLOOR_MS = 50
/** Slowest tests and files kept (for run.json's `slowest`). */
export const MAX_SLOWEST = 10

/** One letter per status, in the order of TEST_STATUSES. */
const LETTERS = 'fepstxX'
export const letterOf = (s: TestStatus) => LETTERS[TEST_STATUSES.indexOf(s)] ?? '?'
export const statusOfLetter = (l: string): TestStatus | undefined =>
  TEST_STATUSES[LETTERS.indexOf(l)]
/** Letters of the statuses that mean the test ran (not skipped, not todo). */
export const RAN = new Set(['f', 'e', 'p', 'x', 'X'])
export const FAILING_LETTERS = new Set(['f', 'e'])

export interface FileOutcomes {
  file: string
  project?: string
  mode?: FileMode
  /** The test names, as a JSON array (parse with {@link namesOf}). */
  namesJson: string
  /** One letter per test ({@link letterOf}). */
  statuses: string
  /** Durations in ms of the tests that took at least DURATION_FLOOR_MS, by index. */
  durations: Record<number, number>
  /** Attempts of retried tests, by index. */
  attempts: Record<number, number>
  /** Failure signatures of failing tests, by index. */
  signatures: Record<number, string>
}

export const namesOf = (f: { namesJson: string }): string[] => JSON.parse(f.namesJson) as string[]

export interface Slow {
  file: string
  project?: string
  mode?: FileMode
  test: string
  durationMs: number
}

export class RunOutcomes {
  private readonly byFile = new Map<string, FileOutcomes>()
  /** The slowest tests and files so far, slowest first (kept as files close: summaries read them often). */
  slowestTests: Slow[] = []
  slowestFiles: Array<Omit<Slow, 'test'>> = []
  private readonly fileTotals = new Map<string, number>()

  /** A file closed: its tests that ended. A file run again replaces its earlier round. */
  addFile(summary: FileSummary, tests: Iterable<TestRecord>): void {
    const names: string[] = []
    const out: FileOutcomes = {
      ...refOf(summary),
      namesJson: '',
      statuses: '',
      durations: {},
      attempts: {},
      signatures: {},
    }
    let total = 0
    const letters: string[] = []
    const ranked: Slow[] = []
    for (const t of tests) {
      if (!t.status) continue // started, never ended
      const i = names.push(t.name) - 1
      letters.push(letterOf(t.status))
      const d = t.durationMs
      if (d !== undefined) {
        total += d
        if (d >= DURATION_FLOOR_MS) out.durations[i] = Math.round(d)
        if (d > this.floor())
          ranked.push({ ...refOf(summary), test: t.name, durationMs: Math.round(d) })
      }
      if ((t.attempts ?? 1) > 1) out.attempts[i] = t.attempts!
      if (t.signature !== undefined) out.signatures[i] = t.signature
    }
    out.namesJson = JSON.stringify(names)
    out.statuses = letters.join('') // one flat string, not a rope of one-letter pieces
    const key = keyOf(summary)
    const again = this.byFile.has(key)
    this.byFile.set(key, out)
    this.fileTotals.set(key, Math.round(total))
    if (again) this.rerank()
    else {
      for (const r of ranked) insertTop(this.slowestTests, r)
      insertTop(this.slowestFiles, { ...refOf(summary), durationMs: Math.round(total) })
    }
  }

  /** A file run again: rank every file afresh (its earlier round no longer counts). */
  private rerank(): void {
    this.slowestTests = []
    this.slowestFiles = []
    for (const [key, f] of this.byFile) {
      const names = namesOf(f)
      for (const [i, ms] of Object.entries(f.durations))
        insertTop(this.slowestTests, { ...refOf(f), test: names[Number(i)]!, durationMs: ms })
      insertTop(this.slowestFiles, { ...refOf(f), durationMs: this.fileTotals.get(key) ?? 0 })
    }
  }

  private floor(): number {
    return this.slowestTests.length < MAX_SLOWEST
      ? 0
      : this.slowestTests[MAX_SLOWEST - 1]!.durationMs
  }

  /** The files in the order they closed. */
  files(): FileOutcomes[] {
    return [...this.byFile.values()]
  }
}

/** Keeps the {@link MAX_SLOWEST} longest, longest first. */
function insertTop<T extends { durationMs: number }>(top: T[], item: T): void {
  if (top.length === MAX_SLOWEST && item.durationMs <= top[MAX_SLOWEST - 1]!.durationMs) return
  let i = top.length
  while (i > 0 && top[i - 1]!.durationMs < item.durationMs) i--
  top.splice(i, 0, item)
  if (top.length > MAX_SLOWEST) top.pop()
}
