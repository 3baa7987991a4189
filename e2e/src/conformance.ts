/**
 * The conformance harness: threepio's record of a run (run.json) against the framework's own
 * record of the same run (Vitest's json reporter, `jest --json`, pytest's junitxml), file by file
 * and status by status. How each framework's record maps to threepio's is in docs/design.md
 * ("Counting, and the frameworks' own records").
 */
import { readFileSync } from 'node:fs'
import { isAbsolute, relative, sep } from 'node:path'
import { expect } from 'vitest'

/** Per-status counts in the terms all three records share. */
export interface StatusCounts {
  passed: number
  failed: number
  skipped: number
  todo: number
  error: number
}

/** One file in a record: its tests by status, and whether the file failed or failed to load. */
export interface FileRecord {
  counts: StatusCounts
  failed: boolean
  failedToLoad: boolean
}

/** file (POSIX, relative to the run's rootDir) → its record, summed over projects and modes. */
export type RunRecord = Map<string, FileRecord>

const zero = (): StatusCounts => ({ passed: 0, failed: 0, skipped: 0, todo: 0, error: 0 })

function entry(record: RunRecord, file: string): FileRecord {
  let f = record.get(file)
  if (!f) record.set(file, (f = { counts: zero(), failed: false, failedToLoad: false }))
  return f
}

function relativeFile(rootDir: string, file: string): string {
  const rel = isAbsolute(file) ? relative(rootDir, file) : file
  return sep === '/' ? rel : rel.split(sep).join('/')
}

interface ThreepioFile {
  file: string
  status: string
  counts: Record<string, number>
  teardownErrors?: number
  skipReason?: string
  failedToLoad?: boolean
}

/**
 * threepio's run.json in the framework's terms. pytest counts a file that failed to collect as
 * an error and a file skipped as a whole as a skip, and a teardown error of a failed test as an
 * error of its own; Jest and Vitest count neither among tests, only among files.
 */
export function threepioRecord(
  summary: Record<string, unknown>,
  runner: 'vitest' | 'jest' | 'pytest',
): RunRecord {
  const list = summary.fileList as ThreepioFile[]
  expect(summary.fileListTotal, 'every file is in run.json').toBe(list.length)
  const record: RunRecord = new Map()
  for (const f of list) {
    const e = entry(record, f.file)
    const c = f.counts
    // Vitest's json reporter counts a `test.fails` test that failed as expected as passed.
    const xfailedAs = runner === 'vitest' ? 'passed' : 'skipped'
    e.counts.passed += (c.passed ?? 0) + (c.xpassed ?? 0)
    e.counts.failed += c.failed ?? 0
    e.counts.skipped += c.skipped ?? 0
    e.counts[xfailedAs] += c.xfailed ?? 0
    e.counts.todo += c.todo ?? 0
    e.counts.error += c.error ?? 0
    if (runner === 'pytest') {
      e.counts.error += (f.teardownErrors ?? 0) + (f.failedToLoad ? 1 : 0)
      if (f.status === 'skipped' && f.skipReason !== undefined) e.counts.skipped += 1
    }
    e.failed ||= f.status === 'failed' || f.status === 'error'
    e.failedToLoad ||= f.status === 'error'
  }
  return record
}

interface JsonReport {
  testResults: Array<{
    name: string
    status: string
    message?: string
    assertionResults: Array<{ status: string }>
  }>
}

/** Vitest's json reporter or `jest --json`: the same shape (Jest's, which Vitest copies). */
export function jsonRecord(json: JsonReport, rootDir: string): RunRecord {
  const record: RunRecord = new Map()
  for (const t of json.testResults) {
    const e = entry(record, relativeFile(rootDir, t.name))
    for (const a of t.assertionResults) {
      const s = a.status
      if (s === 'passed') e.counts.passed++
      else if (s === 'failed') e.counts.failed++
      else if (s === 'todo') e.counts.todo++
      else e.counts.skipped++ // pending, skipped, disabled
    }
    // A file that failed to load has no tests; one whose top-level beforeAll threw has them all.
    e.failed ||= t.status === 'failed'
    e.failedToLoad ||= t.status === 'failed' && !t.assertionResults.length && !!t.message
  }
  return record
}

/**
 * pytest's junitxml (xunit1, whose testcases carry `file`), element by element: each <failure>,
 * <error> and <skipped> counts once, a testcase without any of them passed. A collection
 * failure is an <error> of its own.
 */
export function junitRecord(xml: string, pytest: { reruns?: boolean } = {}): RunRecord {
  const record: RunRecord = new Map()
  const cases = xml.match(/<testcase\b[^>]*?(?:\/>|>[\s\S]*?<\/testcase>)/g) ?? []
  const key = (c: string | undefined) =>
    c &&
    ['file', 'classname', 'name']
      .map((a) => new RegExp(`\\b${a}="([^"]*)"`).exec(c)?.[1])
      .join('\0')
  for (const [i, c] of cases.entries()) {
    // pytest-rerunfailures: an attempt that is run again is a bare testcase of its own, just
    // before the next attempt of the same test; pytest counts it as a rerun, not a test.
    const bare = !/<(failure|error|skipped)\b/.test(c)
    if (pytest.reruns && bare && key(c) === key(cases[i + 1])) continue
    const file = /\bfile="([^"]*)"/.exec(c)?.[1]
    const e = entry(record, unescapeXml(file ?? '(no file attribute)'))
    const kinds = [...c.matchAll(/<(failure|error|skipped)\b([^>]*)/g)]
    for (const [, kind, attrs] of kinds) {
      if (kind === 'failure') e.counts.failed++
      else if (kind === 'error') e.counts.error++
      else e.counts.skipped++
      // pytest's own words, or threepio's export's testcase for the file
      if (
        kind === 'error' &&
        (/message="collection failure"/.test(attrs ?? '') || /\bname="\(failed to load\)"/.test(c))
      )
        e.failedToLoad = true
    }
    if (!kinds.length) e.counts.passed++
    e.failed ||= kinds.some(([, k]) => k === 'failure' || k === 'error')
  }
  return record
}

/** A JUnit file's record; `reruns`: pytest's junitxml of a run with pytest-rerunfailures. */
export function readJunit(path: string, pytest: { reruns?: boolean } = {}): RunRecord {
  return junitRecord(readFileSync(path, 'utf8'), pytest)
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
}

const plain = (r: RunRecord) =>
  Object.fromEntries([...r.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

/** threepio's record equals the framework's, file by file and status by status. */
export function expectSameRecord(ours: RunRecord, theirs: RunRecord, what: string): void {
  expect(plain(ours), `threepio vs ${what}, per file and status`).toEqual(plain(theirs))
}
