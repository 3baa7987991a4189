/**
 * The reporter's own trouble, through the built CommonJS entry (as Jest loads a reporter) in a
 * process of its own, with real files: a hook that throws is one warning and a diagnostic event,
 * never an exception in Jest, and the run goes on being recorded.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'

const cjs = join(import.meta.dirname, '..', 'dist', 'index.cjs')

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

it('per-test hooks given what they cannot read: one warning, a diagnostic each, and the run goes on', () => {
  const root = mkdtempSync(join(tmpdir(), 'threepio-jest-reporter-'))
  dirs.push(root)
  const out = join(root, '.3pio')
  // Jest's objects as far as the reporter reads them; two calls carry nothing where Jest always
  // gives the test's names (what a Jest that changed its hooks' arguments would do).
  const script = `
const { ThreepioJestReporter: Reporter } = require(${JSON.stringify(cjs)})
const root = ${JSON.stringify(root)}
const r = new Reporter({ rootDir: root, watch: false, watchAll: false }, { outputDir: ${JSON.stringify(out)} })
const test = { path: root + '/a.test.js', context: { config: { setupFilesAfterEnv: [] } } }
const ok = { ancestorTitles: ['a'], fullName: 'a ok', title: 'ok' }
const passed = { ...ok, status: 'passed', failureMessages: [], invocations: 1, duration: 1 }
r.onRunStart({ numTotalTestSuites: 1 })
r.onTestFileStart(test)
r.onTestCaseStart(test, undefined)
r.onTestCaseResult(test, undefined)
r.onTestCaseStart(test, ok)
r.onTestCaseResult(test, passed)
r.onTestFileResult(test, { testResults: [passed], perfStats: { start: 0, end: 1 } })
r.onRunComplete(new Set(), { numFailedTests: 0, numFailedTestSuites: 0, numRuntimeErrorTestSuites: 0, wasInterrupted: false })
console.log('hooks returned')
`
  const run = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' })
  expect(run.status, run.stderr).toBe(0)
  expect(run.stdout).toBe('hooks returned\n')
  const warnings = run.stderr.split('\n').filter((l) => l.startsWith('threepio: warning'))
  expect(warnings).toEqual([expect.stringContaining('onTestCaseStart failed')])

  const [runId] = readdirSync(join(out, 'runs'))
  const events = readFileSync(join(out, 'runs', runId!, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
  const diagnostics = events.filter((e) => e.type === 'diagnostic')
  expect(diagnostics.map((d) => [d.code, String(d.message).split(':')[0]])).toEqual([
    ['EREPORTER', 'onTestCaseStart failed'],
    ['EREPORTER', 'onTestCaseResult failed'],
  ])
  // The calls after them are recorded as if nothing had happened.
  expect(events.filter((e) => e.type === 'test-end')).toEqual([
    expect.objectContaining({ status: 'passed', test: expect.objectContaining({ name: 'ok' }) }),
  ])
  expect(events.at(-1)).toMatchObject({ type: 'run-end', status: 'passed' })
})
