/**
 * The pytest plugin from the outside: real pytest processes (the plugin installed in a
 * virtualenv as a user installs it), real signals, a hard exit, and a cwd that is not the rootdir.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  FIXTURES,
  ROOT,
  expectWellFormed,
  invalidEvents,
  rerunArgs,
  run,
  settledSummary,
  spawnToEnd,
  interrupt,
  tempDir,
  type SpawnOptions,
} from './helpers.js'
import { expectSameRecord, readJunit, threepioRecord } from './conformance.js'

let python = ''
beforeAll(async () => {
  const { ensureVenv } = (await import(join(FIXTURES, '../packages/pytest-bridge/venv.mjs'))) as {
    ensureVenv: (major: number) => string
  }
  python = join(ensureVenv(9), 'python')
})

const fixture = (name: string) => join(FIXTURES, 'pytest', name)

/**
 * Every pytest fixture that runs to its end (slow, hard-exit and faults are for interrupts and
 * kills, tested below and in the fault suite), compared with pytest's own junitxml of the run.
 */
describe('pytest-threepio as users install it', () => {
  it('the built wheel in a clean venv beside threepio-test-runner: -p threepio records the run', async () => {
    const dir = tempDir()
    const bridge = join(FIXTURES, '../packages/pytest-bridge')
    execFileSync(python, ['-m', 'pip', 'wheel', '-q', '--no-deps', '-w', dir, bridge])
    const wheel = join(
      dir,
      readdirSync(dir).find((f) => f.startsWith('pytest_threepio-'))!,
    )
    const venv = join(dir, 'venv')
    execFileSync(process.env.PYTHON ?? 'python3', ['-m', 'venv', venv])
    const venvPython = join(venv, 'bin', 'python')
    // The predecessor's wheel ships a top-level module named threepio, as this one once did.
    execFileSync(venvPython, [
      '-m',
      'pip',
      'install',
      '-q',
      '--disable-pip-version-check',
      'pytest>=9,<10',
      'threepio-test-runner',
      wheel,
    ])
    const junit = join(dir, 'junit.xml')
    const r = await run(
      venvPython,
      ['-m', 'pytest', `--junitxml=${junit}`, '-o', 'junit_family=xunit1'],
      { cwd: fixture('outcomes') },
    )
    expect(r.exitCode).toBe(1)
    const summary = await settledSummary(r.runDir, (s) => s.status !== 'RUNNING')
    expect(summary.status).toBe('FAILED')
    expectSameRecord(threepioRecord(summary, 'pytest'), readJunit(junit), 'pytest --junitxml')
    const listed = execFileSync(venvPython, ['-m', 'pytest_threepio', 'ls', '--dir', r.outputDir])
    expect(listed.toString()).toContain(summary.runId as string)
    // The other package's module is still there, untouched.
    execFileSync(venvPython, ['-c', 'import threepio; assert threepio.__version__'])
  })
})

describe('pytest conformance: threepio equals junitxml per file and status', () => {
  it.each([
    ['demo', [], 1],
    ['hostile', ['-p', 'threepio'], 0],
    ['outcomes', [], 1],
    ['outcomes', ['-n', '2'], 1],
    ['module-skips', [], 0],
    ['collection-error', [], 2],
    ['pyargs', ['--pyargs', 'pkga.x', 'pkgb.x'], 1],
    // From outside both packages pytest gives their tests the same node ids.
    ['same-node-ids/work', ['--pyargs', 'pkga', 'pkgb'], 1],
    ['same-node-ids/work', ['--pyargs', 'pkga', 'pkgb', '-n', '2'], 1],
    ['same-node-ids/work', ['--pyargs', 'pkga', 'pkgb', '--reruns', '1'], 1],
  ] as const)('%s %j', async (name, args, exit) => {
    const junit = join(tempDir(), 'junit.xml')
    const r = await run(
      python,
      ['-m', 'pytest', `--junitxml=${junit}`, '-o', 'junit_family=xunit1', ...args],
      { cwd: fixture(name), env: { PYTHONPATH: join(fixture(name), '../lib') } },
    )
    expect(r.exitCode, r.stdout + r.stderr).toBe(exit)
    const summary = await settledSummary(r.runDir, (s) => s.status !== 'RUNNING')
    expectWellFormed({ ...r, summary: summary as typeof r.summary })
    const theirs = readJunit(junit, { reruns: (args as readonly string[]).includes('--reruns') })
    expectSameRecord(threepioRecord(summary, 'pytest'), theirs, 'pytest --junitxml')
    // threepio's own JUnit export of the run says what pytest's junitxml says.
    expectSameRecord(readJunit(r.exports!.junit), theirs, "threepio's junit export")
  })

  it('outcomes: reasons, teardown errors and ids with :: in events, log and summary', async () => {
    const r = await run(python, ['-m', 'pytest'], { cwd: fixture('outcomes') })
    const summary = (await settledSummary(r.runDir, (s) => s.status !== 'RUNNING')) as Record<
      string,
      unknown
    >
    const ends = new Map(
      r.events.flatMap((e) => (e.type === 'test-end' ? [[e.test.name, e] as const] : [])),
    )
    expect(ends.get('test_skipped')?.reason).toBe('not on CI')
    expect(ends.get('test_xfail')?.reason).toBe('known bug #12')
    expect(ends.get('test_fails_then_teardown_errors')).toMatchObject({
      status: 'failed',
      teardownError: { message: expect.stringContaining('teardown broke') },
    })
    expect(ends.get('test_ids[a::b]')?.test.suite).toEqual([])
    expect(ends.get('test_in_class[2]')?.test.suite).toEqual(['TestGroup'])
    expect(summary.teardownErrors).toBe(2)
    const log = r.log('test_outcomes.py')
    expect(log).toMatch(/○ SKIPPED test_skipped .*— not on CI\n/)
    expect(log).toContain('✗ ERROR in teardown of test_fails_then_teardown_errors')
    const md = r.markdown || ''
    expect(md).toContain('teardown error')
    expect(r.stderr).toMatch(/threepio: FAILED · .*2 teardown errors · 1 of 1 file failed/)
    // Each failure's rerun command runs that test alone (node ids with brackets and ::).
    const again = await run(python, ['-m', 'pytest', ...rerunArgs(md, 'pytest')], {
      cwd: fixture('outcomes'),
    })
    const rerun = await settledSummary(again.runDir, (s) => s.status !== 'RUNNING')
    expect((rerun.counts as { total: number }).total).toBe(1)
  })

  it('under GitHub Actions: an annotation per failure and the step summary', async () => {
    const stepSummary = join(tempDir(), 'step-summary.md')
    const r = await run(python, ['-m', 'pytest'], {
      cwd: fixture('outcomes'),
      env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: stepSummary, GITHUB_WORKSPACE: ROOT },
    })
    const annotations = r.stderr.split('\n').filter((l) => l.startsWith('::error '))
    expect(annotations.length).toBeGreaterThan(0)
    expect(annotations[0]).toMatch(
      /^::error file=fixtures\/pytest\/outcomes\/test_outcomes\.py,line=\d+,title=/,
    )
    // After pytest's summary and threepio's closing line.
    expect(r.stderr.indexOf('::error ')).toBeGreaterThan(r.stderr.indexOf('threepio: FAILED'))
    expect(readFileSync(stepSummary, 'utf8')).toMatch(/^# FAILED · pytest /)
  })

  it('module-level skips are skipped files with their reasons', async () => {
    const r = await run(python, ['-m', 'pytest'], { cwd: fixture('module-skips') })
    const summary = (await settledSummary(r.runDir, (s) => s.status !== 'RUNNING')) as unknown as {
      fileList: Array<{ file: string; status: string; skipReason?: string }>
    }
    const files = Object.fromEntries(summary.fileList.map((f) => [f.file, f]))
    expect(files['test_platform.py']).toMatchObject({
      status: 'skipped',
      skipReason: 'only on the build farm',
    })
    expect(files['test_numpy.py']?.skipReason).toContain('numpy_is_not_installed_here')
    expect(r.log('test_platform.py')).toContain('skipped as a whole: only on the build farm')
  })
})

describe('pytest -p threepio', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s mid-run: flushed, INTERRUPTED, exit unchanged',
    async (signal) => {
      const onStart: SpawnOptions['onStart'] = (proc, waitFor) =>
        void waitFor('test_slow[3]').then(() => interrupt(proc, signal))
      const [r, bare] = await Promise.all([
        run(python, ['-m', 'pytest', '-v', '-p', 'threepio'], { cwd: fixture('slow'), onStart }),
        spawnToEnd(python, ['-m', 'pytest', '-v'], { cwd: fixture('slow'), onStart }),
      ])
      // The exit status is the promise: on a difference, both runs' output says why.
      expect(
        [r.exitCode, r.signal],
        `with threepio:\n${r.stdout.slice(-2000)}\n${r.stderr}\nwithout:\n${bare.stdout.slice(-2000)}\n${bare.stderr}`,
      ).toEqual([bare.exitCode, bare.signal])
      expect(signal === 'SIGINT' ? r.exitCode : r.signal).toBe(signal === 'SIGINT' ? 2 : 'SIGTERM')
      expect(r.stats.truncated + r.stats.invalidJson).toBe(0)
      expect(invalidEvents(r.events)).toEqual([])
      expect(r.events.at(-1)).toMatchObject({ type: 'run-end', status: 'interrupted' })
      // After SIGTERM pytest is gone at once; its log writer finishes the run directory.
      expect((await settledSummary(r.runDir, (s) => s.status !== 'RUNNING')).status).toBe(
        'INTERRUPTED',
      )
      expect(r.log('test_slow.py')).toContain('slow 2 running')
    },
  )

  it('a test that calls os._exit leaves every earlier event; the run is INCOMPLETE', async () => {
    const r = await run(python, ['-m', 'pytest', '-p', 'threepio'], { cwd: fixture('hard-exit') })
    expect(r.exitCode).toBe(7)
    expect(r.stats.truncated + r.stats.invalidJson).toBe(0)
    const ends = r.events.filter((e) => e.type === 'test-end')
    expect(ends.map((e) => [e.test.name, e.status])).toEqual([['test_before', 'passed']])
    // The log writer notices that pytest is gone, reads events.jsonl to its end and finishes.
    expect((await settledSummary(r.runDir, (s) => s.status !== 'RUNNING')).status).toBe(
      'INCOMPLETE',
    )
    expect(r.log('test_exit.py')).toContain('before the exit')
  })

  it('files are relative to the rootdir when pytest runs from elsewhere', async () => {
    const r = await run(
      python,
      [
        '-m',
        'pytest',
        '-p',
        'threepio',
        join('pytest', 'hard-exit', 'test_exit.py'),
        '-k',
        'before',
      ],
      {
        cwd: FIXTURES,
      },
    )
    expect(r.exitCode).toBe(0)
    expect(r.events.find((e) => e.type === 'file-start')).toMatchObject({ file: 'test_exit.py' })
    expect(r.summary.status).toBe('PASSED')
  })
})
