import { type Event } from '@threepio/core'
import { describe, expect, it } from 'vitest'
import { errorBlock, withoutRunnerFrames } from './log-format.js'
import { rerunCommand, shellQuote } from './rerun.js'
import { lineInStack, RunState } from './run-state.js'
import { summaryJson } from './run-json.js'
import { summaryMarkdown } from './test-run-md.js'
import { testKey } from './insights.js'

const jestDiff = `expect(received).toEqual(expected) // deep equality

- Expected  - 1
+ Received  + 1

  Object {
    "id": 1,
-   "name": "Ann",
+   "name": "Bob",
    "roles": Array [
      "admin",
    ],
  }`

function stack(file: string, line: number): string {
  return [
    'Error: expect(received).toEqual(expected)',
    `    at Object.<anonymous> (/home/me/app/${file}:${line}:17)`,
    '    at Promise.then.completed (/home/me/app/node_modules/jest-circus/build/utils.js:298:28)',
    '    at new Promise (<anonymous>)',
    '    at callAsyncCircusFn (/home/me/app/node_modules/.pnpm/jest-circus@30.2.0/node_modules/jest-circus/build/utils.js:231:10)',
    '    at _callCircusTest (/home/me/app/node_modules/jest-circus/build/run.js:316:40)',
    '    at processTicksAndRejections (node:internal/process/task_queues:95:5)',
    '    at runTest (/home/me/app/node_modules/jest-runner/build/runTest.js:444:34)',
  ].join('\n')
}

/** A run's state, started by a run-start of Jest's (`start` changes it), and how to apply events. */
function started(start: Record<string, unknown> = {}) {
  const state = new RunState()
  let seq = 0
  const apply = (e: Record<string, unknown>) =>
    state.apply({ seq: ++seq, time: 1000 + seq, ...e } as Event)
  apply({
    type: 'run-start',
    schema: 2,
    runId: '2026-11-22_03-10-00_1a2b3c4d',
    runner: { name: 'jest', version: '30.2.0' },
    reporter: { name: '@threepio/jest-reporter', version: '0.0.0' },
    rootDir: '/home/me/app',
    cwd: '/home/me/app',
    argv: ['node', 'jest', '--ci'],
    pid: 1,
    ...start,
  })
  return { state, apply }
}

/** A Vitest run, as {@link started} gives one. */
const vitestRun = (start: Record<string, unknown> = {}) =>
  started({ runner: { name: 'vitest', version: '4.0.0' }, rootDir: '/a', cwd: '/a', ...start })

/** A Jest run of `files` files with one test each; the tests of `failing` files fail. */
function run(files: number, failing: number[]): RunState {
  const { state, apply } = started()
  for (let i = 0; i < files; i++) {
    const file = `src/module-${String(i).padStart(4, '0')}/feature.test.ts`
    const test = { id: `${file}#0`, name: `handles case ${i}`, suite: [`feature ${i}`] }
    apply({ type: 'file-start', file })
    apply({ type: 'test-start', file, test })
    const failed = failing.includes(i)
    apply({
      type: 'test-end',
      file,
      test,
      status: failed ? 'failed' : 'passed',
      durationMs: 3,
      ...(failed ? { error: { message: jestDiff, stack: stack(file, 40 + i) } } : {}),
    })
    apply({ type: 'file-end', file, durationMs: 5 })
  }
  apply({ type: 'run-end', status: failing.length ? 'failed' : 'passed', durationMs: 4200 })
  return state
}

describe('test-run.md for agents', () => {
  it('stays under 4 KB on 1,000 files with 3 failures placed in history, and bounded on 10,000 failures from 50 causes', () => {
    const state = run(1000, [7, 420, 999])
    const failures = new Map(
      state.failures.map((f, i) => [
        testKey({ file: f.file, test: f.test! }),
        i
          ? { history: 'known' as const, since: '2026-12-01T00:00:00.000Z', failedRuns: 4 }
          : { history: 'new' as const },
      ]),
    )
    const fixed = [1, 2, 3, 4].map((i) => ({
      file: `src/module-000${i}/feature.test.ts`,
      test: `feature ${i} handles case ${i}`,
    }))
    state.history = { runs: 30, failures, fixed, slower: [] }
    const md = summaryMarkdown(state)
    expect(md).toContain('**3 failed (1 new), 997 passed**')
    expect(md).toContain('(failed, known, failing in 4 runs since 2026-12-01T00:00:00.000Z)')
    expect(Buffer.byteLength(md)).toBeLessThan(4096)

    const { state: many, apply } = started()
    for (let i = 0; i < 10_000; i++) {
      const file = `src/module-${i % 500}/feature.test.ts`
      const cause = i % 50
      apply({
        type: 'test-end',
        file,
        test: { id: `${i}`, name: `case ${i}`, suite: [] },
        status: 'failed',
        error: {
          message: `Error: broken part ${'abcdefghij'[cause % 10]}${'abcde'[Math.floor(cause / 10)]} ${i}`,
        },
      })
    }
    apply({ type: 'run-end', status: 'failed', durationMs: 10 })
    many.finish()
    const big = summaryMarkdown(many)
    expect(big).toContain('## Failures (10000 from 50 causes)')
    expect(Buffer.byteLength(big)).toBeLessThan(8 * 1024)
    expect(summaryJson(many).causes).toHaveLength(50)
  })

  it('is under 4 KB on 1,000 files with 3 failures, each with file:line, its diff and a rerun command', () => {
    const state = run(1000, [7, 420, 999])
    const md = summaryMarkdown(state)
    expect(Buffer.byteLength(md)).toBeLessThan(4096)
    expect(md.indexOf('# FAILED')).toBe(0)
    expect(md).toContain('**3 failed, 997 passed** · 3 of 1000 files failed')
    for (const i of [7, 420, 999]) {
      const file = `src/module-${String(i).padStart(4, '0')}/feature.test.ts`
      expect(md).toContain(`\`${file}:${40 + i}\``)
      expect(md).toContain(`Rerun: \`npx jest ${file} -t '^feature ${i} handles case ${i}$'\``)
    }
    // The diff lines that matter, not its context.
    expect(md).toContain('-   "name": "Ann",')
    expect(md).toContain('+   "name": "Bob",')
    expect(md).not.toContain('Object {')
    // Passing files are a count; run.json lists them.
    expect(md).toContain('1000 files: 3 failed, 997 passed.')
    expect(md).not.toContain('module-0500')
    expect(summaryJson(state).fileList).toHaveLength(1000)
    expect(summaryJson(state).failures[0]).toMatchObject({
      line: 47,
      rerun: "npx jest src/module-0007/feature.test.ts -t '^feature 7 handles case 7$'",
    })
  })

  it('stays bounded when everything fails', () => {
    const md = summaryMarkdown(
      run(
        1000,
        Array.from({ length: 1000 }, (_, i) => i),
      ),
    )
    expect(Buffer.byteLength(md)).toBeLessThan(12 * 1024)
    expect(md).toContain('## Failures (1000)')
    expect(md).toContain('… and 990 more failure(s)')
  })

  it('after an interrupt, lists an unfinished file without failures under "did not finish" only', () => {
    const { state, apply } = vitestRun()
    apply({ type: 'file-start', file: 'a.test.js' })
    for (let i = 0; i < 12; i++) {
      const test = { id: `a${i}`, name: `t${i}`, suite: [] }
      apply({
        type: 'test-end',
        file: 'a.test.js',
        test,
        status: 'failed',
        error: { message: `no ${'abcdefghijkl'[i]}` }, // twelve causes
      })
    }
    apply({ type: 'file-end', file: 'a.test.js' })
    apply({ type: 'file-start', file: 'b.test.js' })
    apply({ type: 'test-start', file: 'b.test.js', test: { id: 'b', name: 'slow', suite: [] } })
    apply({ type: 'run-end', status: 'interrupted', durationMs: 10 })
    state.finish()
    const md = summaryMarkdown(state)
    expect(md).toContain('failing files: `a.test.js` (run.json')
    expect(md).toMatch(/## Did not finish \(1\)\n\n- `b\.test\.js` › running `slow`/)
  })

  it('after an interrupt, counts the files the runner was given that never started', () => {
    const { state, apply } = vitestRun({ files: 3 })
    apply({ type: 'file-start', file: 'slow.test.js' })
    apply({ type: 'test-start', file: 'slow.test.js', test: { id: 's', name: 'slow', suite: [] } })
    apply({ type: 'run-end', status: 'interrupted', durationMs: 10 })
    state.finish()
    expect(summaryJson(state).headline).toBe('no tests · 1 file, 1 unfinished, 2 not started')
    // A run that ended as it should ran what it meant to: nothing is said of files not started.
    const ended = run(2, [])
    ended.start!.files = 5
    expect(summaryJson(ended).headline).toBe('2 passed · 2 files')
  })

  it('quotes the command for a shell', () => {
    const state = run(1, [])
    state.start!.argv = ['node', 'jest', '-t', 'math rounds wrongly']
    expect(summaryMarkdown(state)).toContain("- Command: `node jest -t 'math rounds wrongly'`")
  })
})

describe('rerun commands', () => {
  it('quote names for the shell and the -t pattern', () => {
    const ref = { name: "it's (really) $5 + 1?", suite: ['math'] }
    expect(
      rerunCommand({ name: 'vitest', version: '4.1.0' }, { file: 'src/a b.test.ts', ref }),
    ).toBe(`npx vitest run 'src/a b.test.ts' -t '^math it'\\''s \\(really\\) \\$5 \\+ 1\\?$'`)
    expect(rerunCommand({ name: 'jest' }, { file: 'a.test.js', project: 'web', ref })).toContain(
      'npx jest a.test.js --selectProjects web -t ',
    )
    expect(
      rerunCommand(
        { name: 'pytest' },
        { file: 'tests/test_a.py', testId: 'tests/test_a.py::test_x[1-a b]' },
      ),
    ).toBe("pytest 'tests/test_a.py::test_x[1-a b]'")
    expect(rerunCommand(undefined, { file: 'a' })).toBeUndefined()
    // Vitest 5 joins suites and name with ` > ` where Vitest 3 and 4 use a space.
    const nested = { name: 'case 1', suite: ['rounding'] }
    expect(rerunCommand({ name: 'vitest', version: '5.1.1' }, { file: 'a.js', ref: nested })).toBe(
      "npx vitest run a.js -t '^rounding > case 1$'",
    )
    expect(shellQuote('plain/path.ts')).toBe('plain/path.ts')
  })
})

describe('stacks', () => {
  it('lose the runner’s own frames in logs, and say how many', () => {
    const s = stack('src/a.test.ts', 12)
    const kept = withoutRunnerFrames(s)
    expect(kept).toContain('(/home/me/app/src/a.test.ts:12:17)')
    expect(kept).not.toContain('jest-circus')
    expect(kept).not.toContain('node:internal')
    expect(kept).toContain('… 6 frame(s) inside the test runner and Node (events.jsonl has them)')
    expect(errorBlock({ message: 'boom', stack: s })).not.toContain('jest-runner')
    const vitest =
      '    at /app/src/b.test.ts:3:5\n    at file:///app/node_modules/@vitest/runner/dist/chunk-hooks.js:155:11'
    expect(withoutRunnerFrames(vitest)).toContain('/app/src/b.test.ts:3:5')
    expect(withoutRunnerFrames(vitest)).not.toContain('@vitest/runner')
  })

  it('give the line in the test file', () => {
    expect(lineInStack({ message: 'x', stack: stack('src/a.test.ts', 12) }, 'src/a.test.ts')).toBe(
      12,
    )
    // pytest: the traceback names the file relative to the root.
    expect(
      lineInStack(
        { message: 'tests/test_a.py:8: in test_x\n    assert 1 == 2' },
        'tests/test_a.py',
      ),
    ).toBe(8)
    expect(
      lineInStack({ message: 'x', stack: 'at other.test.ts:3:1' }, 'a.test.ts'),
    ).toBeUndefined()
  })

  it('give the line of a file that failed to load, from its stack', () => {
    const state = new RunState()
    let seq = 0
    const apply = (e: Record<string, unknown>) =>
      state.apply({ seq: ++seq, time: 1000 + seq, ...e } as Event)
    apply({ type: 'file-start', file: 'broken.test.ts' })
    apply({
      type: 'file-end',
      file: 'broken.test.ts',
      failedToLoad: true,
      error: {
        message: "Cannot find module './missing'",
        stack: "Error: Cannot find module './missing'\n    at /app/broken.test.ts:2:1",
      },
    })
    expect(summaryJson(state).failures[0]).toMatchObject({ file: 'broken.test.ts', line: 2 })
    expect(summaryMarkdown(state)).toContain('`broken.test.ts:2`')
  })
})

describe('pytest failures in the log', () => {
  it('keep the failing source line (>) and the E lines of the traceback', () => {
    const block = errorBlock({
      message: 'assert 1 == 2',
      stack:
        'def test_adds():\n>       assert 1 == 2\nE       assert 1 == 2\n\ntests/test_a.py:2: AssertionError',
    })
    expect(block).toContain('>       assert 1 == 2')
    expect(block).toContain('E       assert 1 == 2')
    expect(block).toContain('tests/test_a.py:2: AssertionError')
  })
})

describe('causes', () => {
  it('says "40 failures from 2 causes": each cause once, with its count, files and the others by name', () => {
    const { state, apply } = started()
    for (let f = 0; f < 4; f++) {
      const file = `db${f}.test.js`
      apply({ type: 'file-start', file })
      for (let i = 0; i < 10; i++) {
        const broken = f < 3 || i < 8 // 38 from the broken connection, 2 assertions
        apply({
          type: 'test-end',
          file,
          test: { id: `${file}::t${i}`, name: `t${i}`, suite: [] },
          status: 'failed',
          error: broken
            ? {
                message: `Error: connect ECONNREFUSED 127.0.0.1:${5000 + i}`,
                stack: '    at connect (/home/me/app/src/db.js:12:9)',
              }
            : {
                message: 'Error: expect(received).toBe(expected)',
                stack: `    at Object.toBe (/home/me/app/${file}:${40 + i}:3)`,
              },
        })
      }
      apply({ type: 'file-end', file })
    }
    apply({ type: 'run-end', status: 'failed', durationMs: 10 })
    state.finish()
    const json = summaryJson(state)
    expect(json.causes.map((c) => [c.count, c.filesTotal])).toEqual([
      [38, 4],
      [1, 1],
      [1, 1],
    ])
    expect(json.causes[0]!.signature).toBe('Error: connect ECONNREFUSED <addr> @ src/db.js:12')
    expect(json.failures.every((f) => f.cause !== undefined)).toBe(true)
    const md = summaryMarkdown(state)
    expect(md).toContain('## Failures (40 from 3 causes)')
    expect(md).toContain('Same cause: 37 more (4 files in all): `db0.test.js › t1`')
    // Each cause shown once: three entries, not forty.
    expect(md.match(/^\d+\. ✗/gm)).toHaveLength(3)
  })

  it('a retry that passes takes its failure out of its cause', () => {
    const { state, apply } = vitestRun()
    apply({ type: 'file-start', file: 'a.test.js' })
    const test = { id: 'a', name: 'flaky', suite: [] }
    apply({
      type: 'test-end',
      file: 'a.test.js',
      test,
      status: 'failed',
      attempt: 0,
      error: { message: 'boom' },
    })
    apply({ type: 'test-end', file: 'a.test.js', test, status: 'passed', attempt: 1 })
    apply({ type: 'file-end', file: 'a.test.js' })
    expect(summaryJson(state).causes).toEqual([])
    expect(summaryJson(state).causesTotal).toBe(0)
  })

  it('counts a file that failed to load once, under the cause it shares with failing tests', () => {
    const { state, apply } = started()
    const broken = {
      message: 'RangeError: cannot pad 1982',
      stack: '    at pad (/home/me/app/src/util.js:126:9)',
    }
    apply({ type: 'file-start', file: 'a.test.js' })
    apply({
      type: 'test-end',
      file: 'a.test.js',
      test: { id: 'a', name: 'a', suite: [] },
      status: 'failed',
      error: broken,
    })
    apply({ type: 'file-end', file: 'a.test.js' })
    apply({ type: 'file-start', file: 'b.test.js' })
    apply({ type: 'file-end', file: 'b.test.js', failedToLoad: true, error: broken })
    apply({ type: 'run-end', status: 'failed', durationMs: 10 })
    state.finish()
    const md = summaryMarkdown(state)
    expect(md).toContain('## Failures (2 from 1 cause)\n')
    expect(md.match(/^\d+\. ✗/gm)).toHaveLength(1)
    expect(md).toContain('Same cause: 1 more (2 files in all): `b.test.js`')
  })
})
