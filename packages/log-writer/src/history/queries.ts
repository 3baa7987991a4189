/**
 * Questions the history answers across runs: what changed between two runs (`threepio diff`),
 * one test's outcomes over the runs (`threepio history`), and which tests both passed and failed
 * on the same code (`threepio flaky`). Runs are read from the history, so runs whose directories
 * retention removed still count.
 */
import type { FileMode, TestStatus } from '@threepio/core'
import { keyOf, refOf } from '../run-model/summaries.js'
import {
  historyDirOf,
  listRecords,
  readNames,
  readRecord,
  type RecordEntry,
} from './history-dir.js'
import { FAILING_LETTERS, statusOfLetter } from '../run-model/outcomes.js'
import type { FileRecord, RunRecord } from './run-record.js'

/** A test across runs: its file's identity and its name. */
export interface TestId {
  file: string
  project?: string
  mode?: FileMode
  test: string
}

/** The history of an output directory, read as needed. */
export class History {
  readonly dir: string
  /** Records, newest first. */
  readonly entries: RecordEntry[]
  private readonly names = new Map<string, string[] | undefined>()

  constructor(outputDir: string) {
    this.dir = historyDirOf(outputDir)
    this.entries = listRecords(this.dir)
  }

  /** The record of a run id, or undefined. */
  record(runId: string): RunRecord | undefined {
    const entry = this.entries.find((e) => e.runId === runId)
    return entry ? readRecord(this.dir, entry) : undefined
  }

  /** Records, newest first (damaged ones left out). */
  *records(): Generator<RunRecord> {
    for (const e of this.entries) {
      const r = readRecord(this.dir, e)
      if (r) yield r
    }
  }

  /** The tests of one file record, each with its index there. */
  testsOf(f: FileRecord): string[] {
    if (!this.names.has(f.names)) this.names.set(f.names, readNames(this.dir, f.names))
    return this.names.get(f.names) ?? []
  }
}

const idOf = (f: FileRecord, test: string): TestId => ({ ...refOf(f), test })

/** Each test of a run with its status and duration (a duration only at or above the floor). */
function testsOfRun(h: History, r: RunRecord) {
  const out = new Map<string, { id: TestId; status: TestStatus; durationMs?: number }>()
  for (const f of r.files) {
    h.testsOf(f).forEach((name, i) => {
      const status = statusOfLetter(f.statuses[i] ?? '')
      if (!status) return
      const d = f.durations?.[i]
      out.set(`${keyOf(f)}\0${name}`, {
        id: idOf(f, name),
        status,
        ...(d !== undefined ? { durationMs: d } : {}),
      })
    })
  }
  return out
}

export interface RunDiff {
  from: { runId: string; status: string }
  to: { runId: string; status: string }
  newlyFailing: TestId[]
  fixed: TestId[]
  newlySkipped: TestId[]
  added: TestId[]
  removed: TestId[]
  /** Files only one of the two runs ran: their tests are not added or removed. */
  filesOnlyIn: { from: number; to: number }
  durationChanges: Array<TestId & { fromMs: number; toMs: number }>
}

/** Duration changes listed: at least this factor and this many ms apart. */
const DURATION_FACTOR = 2
const DURATION_MIN_MS = 500

/** What changed from run `a` to run `b`, test by test within the files both ran. */
export function diffRuns(h: History, a: RunRecord, b: RunRecord): RunDiff {
  const before = testsOfRun(h, a)
  const after = testsOfRun(h, b)
  const filesA = new Set(a.files.map(keyOf))
  const filesB = new Set(b.files.map(keyOf))
  const diff: RunDiff = {
    from: { runId: a.runId, status: a.status },
    to: { runId: b.runId, status: b.status },
    newlyFailing: [],
    fixed: [],
    newlySkipped: [],
    added: [],
    removed: [],
    filesOnlyIn: {
      from: [...filesA].filter((k) => !filesB.has(k)).length,
      to: [...filesB].filter((k) => !filesA.has(k)).length,
    },
    durationChanges: [],
  }
  const failing = (s: TestStatus) => s === 'failed' || s === 'error'
  const skipped = (s: TestStatus) => s === 'skipped' || s === 'todo'
  for (const [key, t] of after) {
    const was = before.get(key)
    const fileKeyOf = key.slice(0, key.lastIndexOf('\0'))
    if (!was) {
      if (filesA.has(fileKeyOf)) diff.added.push(t.id)
      continue
    }
    if (failing(t.status) && !failing(was.status)) diff.newlyFailing.push(t.id)
    if (!failing(t.status) && failing(was.status) && t.status === 'passed') diff.fixed.push(t.id)
    if (skipped(t.status) && !skipped(was.status)) diff.newlySkipped.push(t.id)
    const fromMs = was.durationMs ?? 0
    const toMs = t.durationMs ?? 0
    const [lo, hi] = fromMs < toMs ? [fromMs, toMs] : [toMs, fromMs]
    if (hi - lo >= DURATION_MIN_MS && hi >= DURATION_FACTOR * Math.max(lo, 1))
      diff.durationChanges.push({ ...t.id, fromMs, toMs })
  }
  for (const [key, t] of before) {
    const fileKeyOf = key.slice(0, key.lastIndexOf('\0'))
    if (!after.has(key) && filesB.has(fileKeyOf)) diff.removed.push(t.id)
  }
  diff.durationChanges.sort((x, y) => Math.abs(y.toMs - y.fromMs) - Math.abs(x.toMs - x.fromMs))
  return diff
}

export interface Outcome {
  runId: string
  startedAt: string
  status: TestStatus
  durationMs?: number
  attempts?: number
  commit?: string
  dirty?: boolean
}

/** Most tests a `history` query shows. */
export const MAX_TESTS_SHOWN = 20

/**
 * The outcomes across runs, newest first, of the tests whose `file › name` contains `query`
 * (or whose file is `query`).
 */
export function testHistory(h: History, query: string): Array<{ id: TestId; outcomes: Outcome[] }> {
  const found = new Map<string, { id: TestId; outcomes: Outcome[] }>()
  for (const r of h.records()) {
    for (const f of r.files) {
      const names = h.testsOf(f)
      names.forEach((name, i) => {
        const key = `${keyOf(f)}\0${name}`
        let t = found.get(key)
        if (!t) {
          if (found.size >= MAX_TESTS_SHOWN || !matches(f.file, name, query)) return
          found.set(key, (t = { id: idOf(f, name), outcomes: [] }))
        }
        const status = statusOfLetter(f.statuses[i] ?? '')
        if (!status) return
        const d = f.durations?.[i]
        const a = f.attempts?.[i]
        t.outcomes.push({
          runId: r.runId,
          startedAt: new Date(r.time).toISOString(),
          status,
          ...(d !== undefined ? { durationMs: d } : {}),
          ...(a !== undefined ? { attempts: a } : {}),
          ...(r.code ? { commit: r.code.commit, dirty: r.code.dirty } : {}),
        })
      })
    }
  }
  return [...found.values()]
}

const matches = (file: string, name: string, query: string) =>
  file === query || `${file} › ${name}`.includes(query) || `${file}::${name}`.includes(query)

export interface FlakyTest {
  id: TestId
  passed: number
  failed: number
  /** The code it both passed and failed on, the most recent first. */
  commit: string
  lastFailed: string
}

/** Tests that both passed and failed on the same code (commit and digest), most failures first. */
export function flakyTests(h: History): FlakyTest[] {
  const counts = new Map<
    string,
    { id: TestId; passed: number; failed: number; commit: string; lastFailed: number }
  >()
  for (const r of h.records()) {
    if (!r.code) continue
    const code = `${r.code.commit}\0${r.code.digest}`
    for (const f of r.files) {
      h.testsOf(f).forEach((name, i) => {
        const letter = f.statuses[i]
        const failed = letter !== undefined && FAILING_LETTERS.has(letter)
        if (!failed && letter !== 'p') return
        const key = `${code}\0${keyOf(f)}\0${name}`
        let c = counts.get(key)
        if (!c)
          counts.set(
            key,
            (c = {
              id: idOf(f, name),
              passed: 0,
              failed: 0,
              commit: r.code!.commit,
              lastFailed: 0,
            }),
          )
        if (failed) {
          c.failed++
          c.lastFailed = Math.max(c.lastFailed, r.time)
        } else c.passed++
      })
    }
  }
  const byTest = new Map<string, FlakyTest>()
  for (const c of counts.values()) {
    if (!c.passed || !c.failed) continue
    const key = `${c.id.file}\0${c.id.project ?? ''}\0${c.id.mode ?? ''}\0${c.id.test}`
    const known = byTest.get(key)
    const last = new Date(c.lastFailed).toISOString()
    if (!known)
      byTest.set(key, {
        id: c.id,
        passed: c.passed,
        failed: c.failed,
        commit: c.commit,
        lastFailed: last,
      })
    else {
      known.passed += c.passed
      known.failed += c.failed
      if (last > known.lastFailed) known.lastFailed = last
    }
  }
  return [...byTest.values()].sort(
    (a, b) => b.failed - a.failed || (a.lastFailed < b.lastFailed ? 1 : -1),
  )
}
