import { execFileSync } from 'node:child_process'
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readEventsFile, type Event, type TestStatus } from '@threepio/core'
import { describe, expect, it } from 'vitest'
import { RunState } from '../run-model/run-state.js'
import { summaryJson } from '../run-model/run-json.js'
import { summaryMarkdown } from '../run-model/test-run-md.js'
import { historyDirOf, listRecords, pruneHistory, readRecord, writeRecord } from './history-dir.js'
import { historyAtEnd, rebuildHistory } from './record-run.js'
import { validate } from 'ctrf'
import { ctrfReport, junitXml, readExportedRun } from '../reports/export.js'
import { githubAnnotations } from '../reports/github.js'
import { reportData } from '../reports/html/report-data.js'
import { runHistory } from '../reports/html/run-history.js'

/** A project under git, with its output directory. */
function project(git = true) {
  const root = mkdtempSync(join(tmpdir(), 'threepio-history-'))
  if (git) {
    const run = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'ignore' })
    run('init', '-q')
    mkdirSync(join(root, '.3pio'))
    writeFileSync(join(root, '.3pio', '.gitignore'), '*\n') // as every output directory has
    run('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'x')
  }
  return { root, out: join(root, '.3pio') }
}

let clock = Date.UTC(2026, 11, 1)

/**
 * One run as a reporter would write it: its run directory with events.jsonl; the function it
 * returns ends it (places it in the history and adds it). `tests` maps `file::name` to a
 * status, or to [status, durationMs].
 */
function runUntilEnd(
  p: { root: string; out: string },
  tests: Record<string, TestStatus | [TestStatus, number]>,
) {
  clock += 60_000
  const runId =
    new Date(clock).toISOString().slice(0, 19).replace('T', '_').replace(/:/g, '-') + '_0000abcd'
  const runDir = join(p.out, 'runs', runId)
  mkdirSync(runDir, { recursive: true })
  const events: Event[] = []
  let seq = 0
  const add = (e: Record<string, unknown>) =>
    events.push({ seq: ++seq, time: clock + seq, ...e } as Event)
  add({
    type: 'run-start',
    schema: 2,
    runId,
    runner: { name: 'vitest', version: '4.1.0' },
    reporter: { name: '@threepio/vitest-reporter', version: '0.0.0' },
    rootDir: p.root,
    cwd: p.root,
    argv: ['vitest', 'run'],
    pid: 1,
  })
  const byFile = new Map<string, Array<[string, TestStatus, number]>>()
  for (const [id, value] of Object.entries(tests)) {
    const [file, name] = id.split('::') as [string, string]
    const [status, ms] = Array.isArray(value) ? value : [value, 1]
    byFile.set(file, [...(byFile.get(file) ?? []), [name, status, ms]])
  }
  let failed = false
  for (const [file, list] of byFile) {
    add({ type: 'file-start', file })
    for (const [name, status, durationMs] of list) {
      failed ||= status === 'failed'
      add({
        type: 'test-end',
        file,
        test: { id: `${file}::${name}`, name, suite: [] },
        status,
        durationMs,
        ...(status === 'failed' ? { error: { message: `Error: ${name} broke` } } : {}),
      })
    }
    add({ type: 'file-end', file })
  }
  add({ type: 'run-end', status: failed ? 'failed' : 'passed', durationMs: 10 })
  writeFileSync(
    join(runDir, 'events.jsonl'),
    events.map((e) => JSON.stringify(e)).join('\n') + '\n',
  )
  const state = new RunState()
  for (const e of events) state.apply(e)
  state.finish()
  const end = () => {
    expect(historyAtEnd(runDir, state, { mode: 'record' })).toBeUndefined()
    return { state, json: summaryJson(state), runDir }
  }
  return Object.assign(end, { runDir })
}

function runOnce(
  p: { root: string; out: string },
  tests: Record<string, TestStatus | [TestStatus, number]>,
) {
  return runUntilEnd(p, tests)()
}

const classOf = (json: ReturnType<typeof summaryJson>, test: string) =>
  json.failures.find((f) => f.test === test)?.history

describe('history of runs', () => {
  it('places each failure: first, then known (since when, how many runs), new after a pass; and fixed', () => {
    const p = project(false)
    const one = runOnce(p, { 'a.test.js::x': 'failed', 'a.test.js::y': 'passed' })
    expect(classOf(one.json, 'x')).toBe('first')
    expect(one.json.history).toMatchObject({ runs: 0 })
    expect(one.json.headline).toBe('1 failed, 1 passed · 1 of 1 file failed')
    const two = runOnce(p, { 'a.test.js::x': 'failed', 'a.test.js::y': 'failed' })
    expect(two.json.failures.find((f) => f.test === 'x')).toMatchObject({
      history: 'known',
      failedRuns: 2,
      since: one.state.start && new Date(one.state.start.time).toISOString(),
    })
    expect(classOf(two.json, 'y')).toBe('new')
    expect(two.json.headline).toBe('2 failed (1 new) · 1 of 1 file failed')
    const three = runOnce(p, { 'a.test.js::x': 'passed', 'a.test.js::y': 'failed' })
    expect(three.json.history?.fixed).toEqual([{ file: 'a.test.js', test: 'x' }])
    expect(classOf(three.json, 'y')).toBe('known')
    const md = summaryMarkdown(three.state)
    expect(md).toContain(
      '- Fixed: 1 test that failed in the last run that ran them passes now: `a.test.js › x`',
    )
    expect(md).toMatch(/`y` \(failed, known, failing in 2 runs since /)
    // report.html marks each test as the history places it (on a first run, nothing).
    expect(reportData(one.state).files[0]!.marks).toEqual({})
    expect(reportData(two.state).files[0]!.marks).toEqual({ 0: 'k', 1: 'n' })
    expect(reportData(three.state).files[0]!.marks).toEqual({ 1: 'k' })
    // And each test's outcomes in the earlier runs, oldest first, beside a chart of the runs.
    const page = reportData(three.state, runHistory(three.runDir, three.state))
    const f = page.files[0]!
    expect([0, 1].map((i) => f.past[i] ?? f.pastMost)).toEqual(['ff', 'pf'])
    expect(page.chart.map((r) => [r.passed, r.failed])).toEqual([
      [1, 1],
      [0, 2],
      [1, 1],
    ])
  })

  it("writes report.html's earlier outcomes once for the tests of a file that share them", () => {
    const p = project(false)
    const tests = {
      'a.test.js::w': 'passed',
      'a.test.js::x': 'passed',
      'a.test.js::y': 'passed',
    } as const
    runOnce(p, { ...tests, 'a.test.js::y': 'failed' })
    runOnce(p, tests)
    const three = runOnce(p, { ...tests, 'a.test.js::z': 'passed' })
    const f = reportData(three.state, runHistory(three.runDir, three.state)).files[0]!
    expect(f.pastMost).toBe('pp')
    expect(f.past).toEqual({ 2: 'fp', 3: '' }) // y failed once; z is new
  })

  it('compares a run of a few files test by test, never as if the other files had vanished', () => {
    const p = project(false)
    runOnce(p, { 'a.test.js::x': 'failed', 'b.test.js::z': 'passed' })
    runOnce(p, { 'b.test.js::z': 'passed' }) // only b ran
    const three = runOnce(p, { 'a.test.js::x': 'failed', 'b.test.js::z': 'failed' })
    expect(classOf(three.json, 'x')).toBe('known') // from the run before last: the last that ran it
    expect(classOf(three.json, 'z')).toBe('new')
    // Skipped is not run: the last run that ran it decides.
    runOnce(p, { 'a.test.js::x': 'skipped' })
    const five = runOnce(p, { 'a.test.js::x': 'failed' })
    expect(classOf(five.json, 'x')).toBe('known')
  })

  it('calls a failure flaky when the same code passed it before, and not when the code changed', () => {
    const p = project()
    runOnce(p, { 'a.test.js::x': 'passed' })
    const two = runOnce(p, { 'a.test.js::x': 'failed' })
    expect(classOf(two.json, 'x')).toBe('flaky')
    expect(summaryMarkdown(two.state)).toContain('- Flaky: 1 failing test passed on this same code')
    expect(reportData(two.state).files[0]!.marks).toEqual({ 0: 'F' })
    writeFileSync(join(p.root, 'changed.js'), 'x') // an untracked file: different code
    const three = runOnce(p, { 'a.test.js::x': 'failed' })
    expect(classOf(three.json, 'x')).toBe('known')
    // Rebuilt later (threepio report), run two is placed on the code it ran, not today's.
    const again = new RunState()
    readEventsFile(join(two.runDir, 'events.jsonl'), (e) => again.apply(e))
    again.finish()
    expect(historyAtEnd(two.runDir, again, { mode: 'read' })).toBeUndefined()
    expect(classOf(summaryJson(again), 'x')).toBe('flaky')
  })

  it('finds tests that became much slower than their median', () => {
    const p = project(false)
    for (const ms of [300, 400, 350])
      runOnce(p, { 'a.test.js::slow': ['passed', ms], 'a.test.js::ok': ['passed', 1500] })
    const four = runOnce(p, {
      'a.test.js::slow': ['passed', 1400],
      'a.test.js::ok': ['passed', 1600],
    })
    expect(four.json.history?.slower).toEqual([
      { file: 'a.test.js', test: 'slow', durationMs: 1400, medianMs: 350 },
    ])
    expect(summaryMarkdown(four.state)).toContain(
      'much slower than before: `a.test.js › slow` 1.4 s (median 350 ms)',
    )
  })

  it('outlives the run directories, and is rebuilt from the kept ones when deleted', () => {
    const p = project(false)
    const one = runOnce(p, { 'a.test.js::x': 'failed' })
    rmSync(one.runDir, { recursive: true }) // retention took it
    const two = runOnce(p, { 'a.test.js::x': 'failed' })
    expect(classOf(two.json, 'x')).toBe('known')
    rmSync(historyDirOf(p.out), { recursive: true })
    const three = runOnce(p, { 'a.test.js::x': 'failed' })
    // Rebuilt from run two alone: run one's directory is gone.
    expect(three.json.failures[0]).toMatchObject({ history: 'known', failedRuns: 2 })
    expect(listRecords(historyDirOf(p.out))).toHaveLength(2)
  })

  it('rebuilds a damaged record from its run directory', () => {
    const p = project(false)
    runOnce(p, { 'a.test.js::x': 'passed' })
    const runs = join(historyDirOf(p.out), 'runs')
    for (const f of readdirSync(runs)) writeFileSync(join(runs, f), 'not gzip')
    const two = runOnce(p, { 'a.test.js::x': 'failed' })
    expect(classOf(two.json, 'x')).toBe('first') // the damaged record could not be read
    const three = runOnce(p, { 'a.test.js::x': 'failed' })
    expect(three.json.failures[0]).toMatchObject({ history: 'known', failedRuns: 2 })
    expect(listRecords(historyDirOf(p.out))).toHaveLength(3) // repaired, not lost
  })

  it('keeps a bounded number of runs and the name lists they use', () => {
    const p = project(false)
    for (let i = 0; i < 14; i++)
      runOnce(p, { [`t${i}.test.js::x${i}`]: 'passed', 'a.test.js::y': 'passed' })
    const dir = historyDirOf(p.out)
    pruneHistory(dir, 3, Date.now() + 2 * 3600_000)
    expect(listRecords(dir)).toHaveLength(3)
    const names = readdirSync(join(dir, 'names'))
    expect(names).toHaveLength(4) // three files of their own and a.test.js's
    expect(names.every((n) => statSync(join(dir, 'names', n)).size > 0)).toBe(true)
  })

  it('tells JUnit, CTRF and GitHub annotations where each failure stands', () => {
    const p = project()
    runOnce(p, { 'a.test.js::x': 'failed', 'a.test.js::y': 'passed' })
    const two = runOnce(p, { 'a.test.js::x': 'failed', 'a.test.js::y': 'failed' })
    const run = { ...readExportedRun(two.runDir), history: two.state.history! }
    const xml = junitXml(run)
    expect(xml).toMatch(
      /name="x"[^>]*>\s*<properties>\s*<property name="threepio.history" value="known"/,
    )
    expect(xml).toMatch(
      /name="y"[^>]*>\s*<properties>\s*<property name="flaky" value="true"\/>\s*<property name="threepio.history" value="flaky"/,
    )
    const ctrf = ctrfReport(run)
    expect(validate(ctrf).valid).toBe(true)
    expect(ctrf.insights).toEqual({
      runsAnalyzed: 1,
      extra: { newFailures: 0, fixed: 0, slower: 0 },
    })
    const lines = githubAnnotations(two.json, {})
    expect(lines[0]).toContain('title=x (known for 2 runs)')
    expect(lines[1]).toContain('title=y (flaky)')
  })

  it('places a run again as it was placed at its end, whatever runs that ran beside it added', () => {
    const p = project(false)
    runOnce(p, { 'a.test.js::x': 'passed' })
    const started = runUntilEnd(p, { 'a.test.js::x': 'failed' }) // starts first, ends last
    const beside = runOnce(p, { 'a.test.js::x': 'failed' })
    expect(classOf(beside.json, 'x')).toBe('new')
    const late = started()
    expect(classOf(late.json, 'x')).toBe('new')
    const again = new RunState()
    readEventsFile(join(beside.runDir, 'events.jsonl'), (e) => again.apply(e))
    again.finish()
    historyAtEnd(beside.runDir, again, { mode: 'read' })
    expect(summaryJson(again)).toEqual(beside.json) // not "known", though an earlier-started run failed it
  })

  it('rebuilds only runs that ended, and never over a record a run wrote itself', () => {
    const p = project(false)
    const going = runUntilEnd(p, { 'a.test.js::x': 'failed' })
    runOnce(p, { 'a.test.js::x': 'passed' })
    rmSync(historyDirOf(p.out), { recursive: true })
    // The run still going has no run-end yet: a rebuild leaves it out.
    const events = join(going.runDir, 'events.jsonl')
    const full = readFileSync(events, 'utf8')
    writeFileSync(
      events,
      full
        .split('\n')
        .filter((l) => !l.includes('"run-end"'))
        .join('\n'),
    )
    expect(rebuildHistory(p.out)).toBe(1)
    writeFileSync(events, full)
    // It ends and writes its record; a rebuild racing with it never replaces that record.
    const runId = going().state.start!.runId
    const dir = historyDirOf(p.out)
    const entry = listRecords(dir).find((r) => r.runId === runId)!
    const own = readRecord(dir, entry)!
    expect(own.among).toEqual([]) // it started before the other: placed among none
    const { among: _, ...rebuilt } = own
    writeRecord(dir, rebuilt, new Map(), true)
    expect(readRecord(dir, entry)).toEqual(own)
  })
})
