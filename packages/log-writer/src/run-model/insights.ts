/**
 * What explains a run beyond its counts: failures grouped by cause, the slowest tests and
 * files, and, from the history of earlier runs, which failures are new, known or flaky, which
 * tests were fixed and which became slower. The history itself is read and written elsewhere
 * (history/); the run model only shows the view it is given.
 */
import type { FileMode } from '@threepio/core'
import { errorHead } from './error-head.js'
import { MAX_CAUSE_NAMES, MAX_CAUSES, nameOf } from './causes.js'
import { fileKey, type FailureSummary } from './summaries.js'
import type { RunTally } from './tally.js'
import type { RunOutcomes } from './outcomes.js'

/** Where a failure stands in the project's history. */
export type HistoryClass = 'new' | 'known' | 'flaky' | 'first'

/** A test as run.json names it. */
export interface TestPlace {
  file: string
  project?: string
  mode?: FileMode
  test: string
}

/** What the history says about this run, given to the run model at its end. */
export interface HistoryView {
  /** Earlier runs the history holds (compared with, test by test). */
  runs: number
  /** Their run ids, newest first: the runs this one was placed among. */
  among?: string[]
  /** Per failing test (by {@link testKey}): its place in history. */
  failures: Map<string, FailureHistory>
  /** Tests that failed in the last run that ran them and pass now. */
  fixed: Array<TestPlace & { failedSince?: string }>
  /** Tests much slower than their median over earlier runs. */
  slower: Array<TestPlace & { durationMs: number; medianMs: number }>
}

export interface FailureHistory {
  history: HistoryClass
  /** For `known`: when it first failed in this streak, and in how many runs in a row. */
  since?: string
  failedRuns?: number
  /** For `flaky`: runs on the same code that passed it. */
  passedOnSameCode?: number
}

/** A test's key across runs: its file's identity and its name as the log names it. */
export const testKey = (t: { file: string; project?: string; mode?: string; test: string }) =>
  `${fileKey(t.file, t.project, t.mode)}\0${t.test}`

/** Where a failure stands in history, for run.json (`first` on a project's first run too). */
export const failureHistory = (view: HistoryView | undefined, f: FailureSummary) =>
  view && f.test !== undefined && !f.teardown
    ? view.failures.get(testKey({ ...f, test: f.test }))
    : undefined

export interface CauseJson {
  signature: string
  /** The first failure's error, as failures show it. */
  message: string
  count: number
  files: string[]
  filesTotal: number
  /** The failing tests (file › test), bounded. */
  tests: string[]
  /** Of its failures, how many are new to history (when there is history). */
  new?: number
}

/** Causes, most failures first, new ones before known ones at equal counts. */
export function causesJson(tally: RunTally, view: HistoryView | undefined): CauseJson[] {
  const newCounts = new Map<string, number>()
  if (view)
    for (const f of tally.failures) {
      const h = failureHistory(view, f)
      if (f.signature && (h?.history === 'new' || h?.history === 'first'))
        newCounts.set(f.signature, (newCounts.get(f.signature) ?? 0) + 1)
    }
  const fresh = (signature: string) => (newCounts.get(signature) ? 1 : 0)
  return tally.causes
    .list()
    .sort((a, b) => fresh(b.signature) - fresh(a.signature) || b.count - a.count)
    .slice(0, MAX_CAUSES)
    .map((c) => ({
      signature: c.signature,
      message: errorHead(c.example.error),
      count: c.count,
      files: [...c.files.keys()].slice(0, MAX_CAUSE_NAMES),
      filesTotal: c.files.size,
      tests: c.names.length > 1 || c.count > 1 ? c.names : [nameOf(c.example)],
      ...(view ? { new: newCounts.get(c.signature) ?? 0 } : {}),
    }))
}

/** The slowest tests and files of the run. */
export function slowestJson(outcomes: RunOutcomes) {
  return {
    tests: outcomes.slowestTests.map((t) => ({ ...t })),
    files: outcomes.slowestFiles.map((f) => ({ ...f })),
  }
}

/** The same, for words people read: nothing to say before there is an earlier run. */
export const shownHistory = (view: HistoryView | undefined, f: FailureSummary) =>
  view?.runs ? failureHistory(view, f) : undefined
