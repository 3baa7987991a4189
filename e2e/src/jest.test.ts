/**
 * @threepio/jest-reporter on real Jest 29 and 30, one fixture per behaviour, with and without
 * the live setup file. For each: events validate against the schema, counts equal `jest --json`,
 * output lands in the right file (and, live, under the right test), test-run.md is right.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  FIXTURES,
  ROOT,
  tempDir,
  expectWellFormed,
  invalidEvents,
  rerunArgs,
  interrupt,
  type SpawnOptions,
} from './helpers.js'
import { JEST_VERSIONS, runJest, runJestBare, type JestRun } from './runners.js'
import { expectSameRecord, jsonRecord, threepioRecord } from './conformance.js'

/** The checks every run gets: well formed, and the same record as `jest --json`. */
function expectConsistent(r: JestRun): void {
  expectWellFormed(r)
  expect(r.json, '`jest --json` of the same run').toBeDefined()
  const c = r.summary.counts
  expect(c.passed, 'passed').toBe(r.json.numPassedTests)
  expect(c.failed, 'failed').toBe(r.json.numFailedTests)
  expect(c.skipped, 'skipped').toBe(r.json.numPendingTests)
  expect(c.todo, 'todo').toBe(r.json.numTodoTests)
  expect(c.total, 'total').toBe(r.json.numTotalTests)
  const files = r.summary.files as Record<string, number>
  expect(files.failed + files.error, 'Test Suites: N failed').toBe(r.json.numFailedTestSuites)
  expect(files.error, 'suites that failed to run').toBe(r.json.numRuntimeErrorTestSuites)
  expectSameRecord(
    threepioRecord(r.summary, 'jest'),
    jsonRecord(r.json, r.summary.rootDir as string),
    '`jest --json`',
  )
}

const testEnds = (r: JestRun) => r.events.filter((e) => e.type === 'test-end')

/** The side files Jest workers wrote live output to (none when the tests ran in band). */
function sideFiles(r: JestRun): string[] {
  const dir = join(r.runDir, 'workers')
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.jsonl')) : []
}

describe.each(JEST_VERSIONS)('Jest %i', (version) => {
  it('passing', async () => {
    const r = await runJest(version, 'passing')
    expect(r.exitCode).toBe(0)
    expectConsistent(r)
    expect(r.summary).toMatchObject({
      status: 'PASSED',
      counts: { passed: 2 },
      runner: { name: 'jest' },
    })
    expect((r.summary.runner as { version: string }).version).toMatch(new RegExp(`^${version}\\.`))
    expect(r.log('math.test.js')).toContain('✓ PASSED math > adds')
  })

  it.each(['demo', 'hostile'])('the %s suite equals `jest --json`', async (fixture) => {
    const r = await runJest(version, fixture)
    expectConsistent(r)
  })

  it('failing with a diff', async () => {
    const r = await runJest(version, 'failing-diff')
    expect(r.exitCode).toBe(1)
    expectConsistent(r)
    const failed = testEnds(r).find((e) => e.status === 'failed')!
    expect(failed.error?.message).toContain('toEqual')
    expect(failed.error?.message).toContain('Ann')
    expect(failed.error?.expected).toContain('Ann')
    expect(r.markdown).toContain('`user.test.js:2` › `equals the expected user`')
    // The diff's telling lines, then the command that reruns just that test.
    expect(r.markdown).toMatch(/-\s+"name": "Ann",\n\s+\+\s+"name": "Bob",/)
    const again = await runJest(version, 'failing-diff', {
      args: rerunArgs(r.markdown, 'npx jest'),
    })
    expect(again.exitCode).toBe(1)
    expect(again.summary.counts).toMatchObject({ failed: 1, passed: 0, skipped: 1 })
  })

  it('the rerun command runs the failing test alone (case 1, not case 10 or 11)', async () => {
    const r = await runJest(version, 'rerun-one')
    expect(r.exitCode).toBe(1)
    expect(r.markdown).toContain("-t '^rounding \\(a\\.b\\) case 1$'")
    const again = await runJest(version, 'rerun-one', { args: rerunArgs(r.markdown, 'npx jest') })
    expect(again.exitCode).toBe(1)
    expect(again.summary.counts).toMatchObject({ failed: 1, passed: 0, skipped: 3 })
  })

  it('under GitHub Actions: an annotation per failure and the step summary', async () => {
    const stepSummary = join(tempDir(), 'step-summary.md')
    const env = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: stepSummary, GITHUB_WORKSPACE: ROOT }
    const r = await runJest(version, 'failing-diff', { env })
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toMatch(
      /^::error file=fixtures\/jest\/failing-diff\/user\.test\.js,line=2,title=equals the expected user::(Error: )?expect\(received\)/m,
    )
    expect(readFileSync(stepSummary, 'utf8')).toBe(r.markdown)
  })

  it('a keepRuns it cannot read (THREEPIO_KEEP_RUNS=²) records the run with one warning', async () => {
    const r = await runJest(version, 'passing', { env: { THREEPIO_KEEP_RUNS: '²' } })
    expect(r.exitCode).toBe(0)
    expect(r.summary.status).toBe('PASSED')
    expect(r.stderr.match(/threepio: warning:/g)).toHaveLength(1)
    expect(r.stderr).toMatch(/threepio: warning: .*THREEPIO_KEEP_RUNS.*"²"/)
  })

  it('skip, todo and only: todo is todo, skipped is skipped', async () => {
    const r = await runJest(version, 'skip-todo-only')
    expectConsistent(r)
    expect(testEnds(r).find((e) => e.test.name === 'is a todo')?.status).toBe('todo')
    expect(testEnds(r).find((e) => e.test.name === 'is skipped')?.status).toBe('skipped')
  })

  it('nested describes', async () => {
    const r = await runJest(version, 'nested', { live: true })
    expectConsistent(r)
    expect(testEnds(r).find((e) => e.test.name === 'deep test')?.test.suite).toEqual([
      'outer',
      'middle',
      'inner',
    ])
    expect(r.log('nested.test.js')).toContain('from the deep test')
  })

  it('test.each duplicates are not merged', async () => {
    const r = await runJest(version, 'each-duplicates')
    expectConsistent(r)
    expect(new Set(testEnds(r).map((e) => e.test.id)).size).toBe(5)
  })

  it('unicode and long names', async () => {
    const r = await runJest(version, 'unicode-long-names')
    expectConsistent(r)
    expect(r.logs()).toEqual(['ünïcödé.test.js.log'])
  })

  it('console output at file end lands in the file, stderr marked', async () => {
    const r = await runJest(version, 'console-output', { args: ['--verbose=false'] })
    expectConsistent(r)
    const log = r.log('console.test.js')
    expect(log).toContain(
      'hello from stdout\ninfo line\n[stderr] oops on stderr\n[stderr] a warning\n',
    )
    // Consecutive console entries of one stream are one event, in the order printed.
    const outputs = r.events.filter((e) => e.type === 'output')
    expect(outputs.map((e) => [e.stream, e.text, e.testId])).toEqual([
      ['stdout', 'hello from stdout\ninfo line\n', undefined],
      ['stderr', 'oops on stderr\na warning\n', undefined],
    ])
  })

  it('verbose mode: output reaches reporters from Jest 30 on, and with the setup file on every version', async () => {
    // A single test file runs verbose. Jest 29 prints console output straight to the terminal
    // in verbose mode and hands reporters none; Jest 30 buffers it for them too.
    const plain = await runJest(version, 'console-output', { args: ['--verbose'] })
    expectConsistent(plain)
    const got = plain.events.some(
      (e) => e.type === 'output' && e.text.includes('hello from stdout'),
    )
    expect(got).toBe(version >= 30)
    const live = await runJest(version, 'console-output', { args: ['--verbose'], live: true })
    expect(
      live.events.some((e) => e.type === 'output' && e.text.includes('hello from stdout')),
    ).toBe(true)
  })

  it('with the setup file: console and process.stdout.write live, under the right test', async () => {
    const r = await runJest(version, 'console-output', { live: true, args: ['--verbose=false'] })
    expectConsistent(r)
    const outputs = r.events.filter((e) => e.type === 'output')
    // A test's lines to one stream may share an event (the recording thread takes them together).
    const byText = (t: string) => outputs.find((e) => e.text.split('\n').includes(t))
    expect(byText('hello from stdout')?.testId).toBe('console.test.js::logs to stdout')
    expect(byText('oops on stderr')).toMatchObject({
      stream: 'stderr',
      testId: 'console.test.js::logs to stderr',
    })
    expect(byText('raw write')?.testId).toBe('console.test.js::writes to process.stdout')
    const all = outputs.map((e) => e.text).join('')
    expect(all.split('hello from stdout\n')).toHaveLength(2) // once, not twice
    expect(r.log('console.test.js')).toMatch(
      /▶ logs to stdout\nhello from stdout\ninfo line\n✓ PASSED logs to stdout/,
    )
    // One file runs in band, in the reporter's process: the output came straight to it.
    expect(sideFiles(r)).toEqual([])
  })

  it.each([
    ['with the setup file', true, {}],
    // The setup file counts test starts with a root beforeEach where it cannot read jest-circus's.
    ['with the setup file, starts counted by its fallback', true, { HIDE_CIRCUS_STATE: '1' }],
    ['without the setup file', false, {}],
  ])('duplicate titles %s: output under the right test, the rest marked', async (_, live, env) => {
    // Not verbose (a single file would be): Jest 29 hands reporters no console output then.
    const r = await runJest(version, 'duplicate-titles', {
      live,
      env,
      args: ['--verbose=false'],
    })
    expectConsistent(r)
    const owner = (text: string) =>
      r.events.find((e) => e.type === 'output' && e.text.includes(text)) as
        { testId?: string } | undefined
    if (live) {
      expect(owner('first of the same title')?.testId).toBe('dup.test.js::same title')
      expect(owner('second of the same title')?.testId).toBe('dup.test.js::same title #2')
      expect(owner('in the first block')?.testId).toBe('dup.test.js::block t')
      expect(owner('in the second block')?.testId).toBe('dup.test.js::block t #2')
    }
    expect(owner('printed by afterAll')?.testId).toBeUndefined()
    expect(owner('printed while the file loads')?.testId).toBeUndefined()
    const log = r.log('dup.test.js')
    expect(log).toMatch(/· output not attributed to a test\n(.*\n)*.*printed by afterAll\n/)
    // In band (one file), live output reaches the reporter as it is printed: under its test.
    if (live)
      expect(log).toMatch(
        /▶ same title \(#2\)\nsecond of the same title\n✓ PASSED same title \(#2\)/,
      )
  })

  it.each([
    ['in band', ['--runInBand']],
    ['with workers', ['--maxWorkers=2']],
  ])(
    'duplicate titles, the first failing, %s: the second is a test of its own',
    async (_, args) => {
      const r = await runJest(version, 'duplicate-titles-failing', { live: true, args })
      expectConsistent(r)
      const ids = (type: string, text?: string) =>
        r.events
          .filter(
            (e) =>
              e.type === type && (text === undefined || ('text' in e && e.text.includes(text))),
          )
          .map((e) => ('test' in e ? e.test.id : 'testId' in e ? e.testId : undefined))
      expect(ids('test-start')).toContain('dup.test.js::same title #2')
      expect(ids('output', 'second of the same title')).toEqual(['dup.test.js::same title #2'])
      expect(ids('output', 'after both')).toEqual(['dup.test.js::after both'])
      expect(r.log('dup.test.js')).toMatch(
        /▶ same title \(#2\)\nsecond of the same title\n✓ PASSED same title \(#2\)/,
      )
    },
  )

  it('--silent yields no output', async () => {
    const r = await runJest(version, 'console-output', { args: ['--silent'] })
    expectConsistent(r)
    expect(r.events.filter((e) => e.type === 'output')).toEqual([])
  })

  it.each([
    ['a syntax error', 'syntax-error'],
    ['a failing import', 'failing-import'],
    ['no tests', 'no-tests'],
  ])('%s: file-end status error with its message', async (_name, fixture) => {
    const r = await runJest(version, fixture)
    expect(r.exitCode).toBe(1)
    expectConsistent(r)
    const errored = r.events.filter((e) => e.type === 'file-end' && e.failedToLoad)
    expect(errored).toHaveLength(1)
    expect(errored[0]?.type === 'file-end' && errored[0].error?.message.length).toBeGreaterThan(0)
    expect(r.summary.status).toBe('FAILED')
  })

  it.each([
    ['in band', ['--runInBand']],
    ['with workers', ['-w', '2']],
  ])(
    'with the setup file, %s, a file that failed to load takes no later output for its own',
    async (_name, args) => {
      // Its afterAll never runs; Jest's own report of it (in band) and the next file's output
      // (same worker) come after its teardown.
      const r = await runJest(version, 'failing-import', { live: true, args })
      expect(r.exitCode).toBe(1)
      expectConsistent(r)
      const broken = r.events.filter((e) => e.type === 'output' && e.file === 'broken.test.js')
      expect(broken).toEqual([])
      expect(r.log('broken.test.js')).not.toContain('Test suite failed to run')
      expect(r.log('broken.test.js')).not.toContain('after the file ended')
      expect(r.log('fine.test.js')).toContain('output of fine')
    },
  )

  it('beforeAll failure fails its tests', async () => {
    const r = await runJest(version, 'beforeall-failure')
    expect(r.exitCode).toBe(1)
    expectConsistent(r)
    expect(r.markdown).toContain('could not connect to the database')
  })

  it('beforeAll failure: with the setup file, output of a later test stays its own', async () => {
    const r = await runJest(version, 'beforeall-failure', { live: true })
    expectConsistent(r)
    // Jest reports the failed suite's tests as started although they run no beforeEach hook:
    // the setup file counts them too, or the later test's output goes to one of them.
    const printed = r.events.find(
      (e) => e.type === 'output' && e.text.includes('printed outside the failing suite'),
    ) as { testId?: string } | undefined
    expect(printed?.testId).toBe('hook.test.js::outside the failing suite')
  })

  it('a timeout is a failure', async () => {
    const r = await runJest(version, 'timeout')
    expectConsistent(r)
    expect(testEnds(r)[0]?.error?.message).toMatch(/Exceeded timeout/)
  })

  it('jest.retryTimes: each attempt, flaky marked', async () => {
    const r = await runJest(version, 'retry-times')
    expectConsistent(r)
    const flaky = testEnds(r).filter((e) => e.test.name === 'passes on the third try')
    // Jest says a test is retried only from its second attempt on: the first has no number.
    expect(new Set(flaky.map((e) => e.test.id)).size).toBe(1)
    expect(flaky.map((e) => [e.status, e.attempt ?? 0])).toEqual([
      ['failed', 0],
      ['failed', 1],
      ['passed', 2],
    ])
    expect(r.summary.flaky).toBe(1)
  })

  it('jest.retryTimes with the setup file: each attempt prints under the retried test', async () => {
    const r = await runJest(version, 'retry-times', { live: true })
    expectConsistent(r)
    const attempts = r.events.filter(
      (e) => e.type === 'output' && /attempt \d/.test(e.text),
    ) as Array<{ testId?: string }>
    expect(attempts.map((e) => e.testId)).toEqual(
      Array(3).fill('flaky.test.js::passes on the third try'),
    )
  })

  it('an ESM project loads the reporter', async () => {
    const r = await runJest(version, 'esm-project')
    expect(r.exitCode).toBe(0)
    expectConsistent(r)
  })

  it('a TypeScript config (jest.config.ts) loads the reporter with options', async () => {
    const r = await runJest(version, 'ts-config')
    expect(r.exitCode).toBe(0)
    expectConsistent(r)
    expect(r.summary.status).toBe('PASSED')
  })

  it('projects with displayName', async () => {
    const r = await runJest(version, 'projects', { live: true })
    expectConsistent(r)
    expect(r.logs()).toEqual(['a/a.test.js [alpha].log', 'b/b.test.js [beta].log'])
    expect(r.log('a/a.test.js [alpha]')).toContain('alpha says hi')
  })

  it('200 files with 4 workers, live output under the right test', async () => {
    const dir = join(FIXTURES, 'jest', 'many-files', 'generated')
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    for (let i = 0; i < 200; i++) {
      writeFileSync(
        join(dir, `f${i}.test.js`),
        `test('t${i}', () => { console.log('file ${i}') })\ntest('u${i}', () => { process.stdout.write('raw ${i}\\n') })\n`,
      )
    }
    const r = await runJest(version, 'many-files', { live: true, args: ['-w', '4'] })
    expect(r.exitCode).toBe(0)
    expectConsistent(r)
    expect(r.logs()).toHaveLength(200)
    // Workers hand their output over in side files, one per worker process.
    expect(sideFiles(r).length).toBeGreaterThan(0)
    const outputs = r.events.filter((e) => e.type === 'output')
    for (let i = 0; i < 200; i += 37) {
      expect(outputs.find((e) => e.text === `file ${i}\n`)?.testId).toBe(
        `generated/f${i}.test.js::t${i}`,
      )
      expect(outputs.find((e) => e.text === `raw ${i}\n`)?.testId).toBe(
        `generated/f${i}.test.js::u${i}`,
      )
    }
  })

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s mid-run: flushed, INTERRUPTED, exit unchanged',
    async (signal) => {
      const onStart: SpawnOptions['onStart'] = (proc, waitFor) =>
        void waitFor('slow 3 running').then(() => interrupt(proc, signal))
      const [r, without] = await Promise.all([
        runJest(version, 'slow', { live: true, onStart }),
        runJestBare(version, 'slow', onStart),
      ])
      expect(r.stats.truncated + r.stats.invalidJson).toBe(0)
      expect(invalidEvents(r.events)).toEqual([])
      expect(r.events.at(-1)).toMatchObject({ type: 'run-end', status: 'interrupted' })
      expect(r.summary.status).toBe('INTERRUPTED')
      // With the setup file, the output of the file that was cut short is on disk.
      expect(r.log('slow.test.js')).toContain('slow 2 running')
      expect([r.exitCode, r.signal]).toEqual([without.exitCode, without.signal])
    },
  )
})
