/**
 * `threepio run -- <command>` in fresh projects with no threepio configuration: Jest and Vitest
 * through npm scripts that call scripts, `pnpm -r test` over a workspace of a Jest, a Vitest and
 * a pytest package, `make test`, `python -m pytest`, nox and tox. Each command runs once as it is and
 * once under `threepio run`: the exit status, the terminal output (apart from threepio's closing
 * lines) and `git status` are the same, and each recorded run counts what the framework's own
 * record of the same run counts, file by file and status by status.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, watch } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectSameRecord, jsonRecord, readJunit, threepioRecord } from './conformance.js'
import { cleanEnv, gitProject, installArgs, packageJson, seen } from './fresh-project.js'
import { CLI, ROOT, killGroup, spawnToEnd, tempDir } from './helpers.js'

let resolvedAt = ''
/** A virtualenv with pytest, nox and tox, and no threepio. */
let venvBin = ''
/** A virtualenv with the pytest-threepio wheel installed (the tool `run` comes from, too). */
let pluginVenvBin = ''

beforeAll(async () => {
  resolvedAt = ((await import(join(ROOT, 'scripts/packed.mjs'))) as { RESOLVED_AT: string })
    .RESOLVED_AT
  const venv = join(tempDir('threepio-run-venv-'), 'venv')
  execFileSync(process.env.PYTHON ?? 'python3', ['-m', 'venv', venv])
  venvBin = join(venv, 'bin')
  const { ensureVenv } = (await import(join(ROOT, 'packages/pytest-bridge/venv.mjs'))) as {
    ensureVenv: (major: number) => string
  }
  pluginVenvBin = ensureVenv(9)
  execFileSync(join(venvBin, 'python'), [
    ...['-m', 'pip', 'install', '-q', '--disable-pip-version-check'],
    ...['pytest>=9,<10', 'nox', 'tox>=4.11'],
  ])
})

const JEST_TESTS = {
  'test/a.test.js': `test('passes and logs', () => {\n  console.log('log from a')\n  expect(1).toBe(1)\n})\ntest('fails', () => {\n  expect({ a: 1 }).toEqual({ a: 2 })\n})\n`,
  // Waits to be interrupted when HANG_MARK names a file to write first (the Ctrl+C test).
  'test/b.test.js': `const fs = require('node:fs')\ntest('waits when asked', async () => {\n  if (!process.env.HANG_MARK) return\n  fs.writeFileSync(process.env.HANG_MARK, '')\n  await new Promise((r) => setTimeout(r, 120_000))\n})\n`,
}
const VITEST_TESTS = {
  'test/a.test.js': `import { test, expect } from 'vitest'\n${JEST_TESTS['test/a.test.js']}`,
  'test/b.test.js': `import { test, expect } from 'vitest'\ntest('writes', () => {\n  process.stderr.write('raw stderr from b\\n')\n  expect(2).toBe(2)\n})\n`,
}
const PYTEST_TESTS = {
  'tests/test_a.py': `def test_passes():\n    print("out from a")\n\n\ndef test_fails():\n    assert {"a": 1} == {"a": 2}\n`,
  'tests/test_b.py': `import pytest\n\n\n@pytest.mark.skip(reason="not here")\ndef test_skipped():\n    pass\n`,
}
const JEST_SCRIPT = 'jest --json --outputFile="$JEST_JSON"'
const VITEST_SCRIPT = 'vitest run --reporter=default --reporter=json --outputFile="$VITEST_JSON"'
// xunit1: pytest's junitxml then names each test's file (conformance.ts reads it per file).
const PYTEST_SCRIPT = 'python -m pytest -o junit_family=xunit1 --junitxml="$PYTEST_XML"'

/** Where the frameworks write their own records (the same paths for both runs of a command). */
function records() {
  const d = tempDir('threepio-run-records-')
  return {
    JEST_JSON: join(d, 'jest.json'),
    VITEST_JSON: join(d, 'vitest.json'),
    PYTEST_XML: join(d, 'pytest.xml'),
  }
}

interface Outcome {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  git: string
}

/** The command as it is, then under `threepio run`, in `dir`, with the same environment. */
async function bareAndRecorded(
  dir: string,
  command: string[],
  env: Record<string, string>,
  each: {
    /** Before each of the two runs: what the first left behind that the second must not see. */
    reset?: () => void
    onStart?: Parameters<typeof spawnToEnd>[2]['onStart']
  } = {},
): Promise<{ bare: Outcome; ours: Outcome }> {
  const shell = cleanEnv()
  const full = {
    ...(shell as Record<string, string>),
    PATH: `${venvBin}${delimiter}${shell.PATH}`,
    ...env,
  }
  const status = () =>
    execFileSync('git', ['status', '--porcelain'], { cwd: dir, encoding: 'utf8' })
  const { reset, onStart } = each
  const once = async (cmd: string, args: string[]): Promise<Outcome> => {
    reset?.()
    const r = await spawnToEnd(cmd, args, { cwd: dir, env: full, ...(onStart ? { onStart } : {}) })
    return { ...r, git: status() }
  }
  const bare = await once(command[0]!, command.slice(1))
  const ours = await once(process.execPath, [CLI, 'run', '--', ...command])
  return { bare, ours }
}

/** Same exit, same output apart from closing lines, same files; returns the closing lines. */
function expectAsBare({ bare, ours }: { bare: Outcome; ours: Outcome }): string[] {
  expect(ours.exitCode, ours.stderr).toBe(bare.exitCode)
  expect(ours.signal).toBe(bare.signal)
  expect(seen(ours.stdout).lines).toEqual(seen(bare.stdout).lines)
  expect(seen(ours.stderr).lines).toEqual(seen(bare.stderr).lines)
  expect(ours.git).toBe(bare.git)
  expect([...seen(bare.stdout).closing, ...seen(bare.stderr).closing]).toEqual([])
  return [...seen(ours.stdout).closing, ...seen(ours.stderr).closing]
}

interface Session {
  sessionId: string
  status: string
  exitCode: number | null
  signal: string | null
  runs: Array<{ runDir: string; status: string; runner: string | null }>
}

/** The newest session under `dir`/.3pio, and each run's run.json. */
function readSession(dir: string) {
  const out = join(dir, '.3pio')
  const listed = spawnSync(process.execPath, [CLI, 'show', 'session', '--json', '--dir', out], {
    encoding: 'utf8',
  })
  expect(listed.status, listed.stderr).toBe(0)
  const session = JSON.parse(listed.stdout) as Session
  const runs = session.runs.map(
    (r) => JSON.parse(readFileSync(join(r.runDir, 'run.json'), 'utf8')) as Record<string, unknown>,
  )
  return { session, runs }
}

const runnerOf = (run: Record<string, unknown>) =>
  (run.runner as { name: 'jest' | 'vitest' | 'pytest' }).name

/** Each run counts what its framework's own record of the same run counts. */
function expectRecordsAgree(
  runs: Array<Record<string, unknown>>,
  files: ReturnType<typeof records>,
) {
  for (const run of runs) {
    const runner = runnerOf(run)
    const rootDir = run.rootDir as string
    const theirs =
      runner === 'pytest'
        ? readJunit(files.PYTEST_XML)
        : jsonRecord(
            JSON.parse(
              readFileSync(runner === 'jest' ? files.JEST_JSON : files.VITEST_JSON, 'utf8'),
            ),
            rootDir,
          )
    expectSameRecord(threepioRecord(run, runner), theirs, `${runner}'s own record`)
  }
}

function install(dir: string, pm: 'npm' | 'pnpm'): void {
  const r = spawnSync(pm, installArgs(pm, resolvedAt), {
    cwd: dir,
    encoding: 'utf8',
    env: cleanEnv(),
  })
  expect(r.status, `${pm} install:\n${r.stdout}\n${r.stderr}`).toBe(0)
}

describe('threepio run, in projects that configure nothing', () => {
  it.each([
    ['Jest', '^30.0.0', JEST_TESTS, JEST_SCRIPT],
    ['Vitest', '^4.0.0', VITEST_TESTS, VITEST_SCRIPT],
  ] as const)('npm test → a script calling a script → %s', async (name, range, tests, script) => {
    const framework = name.toLowerCase()
    const dir = gitProject({
      'package.json': packageJson(
        `fresh-${framework}`,
        { test: 'npm run unit', unit: script },
        { [framework]: range },
      ),
      ...tests,
    })
    install(dir, 'npm')
    const files = records()
    const closing = expectAsBare(await bareAndRecorded(dir, ['npm', 'test'], files))
    const { session, runs } = readSession(dir)
    expect(runs.map(runnerOf)).toEqual([framework])
    expectRecordsAgree(runs, files)
    expect(closing).toEqual([
      expect.stringMatching(/^threepio: FAILED · 1 failed, 2 passed · 1 of 2 files failed · /),
      `threepio: 1 run: 1 failed · exit status 1 · .3pio/sessions/${session.sessionId}/summary.md`,
    ])
    expect(session).toMatchObject({ status: 'FAILED', exitCode: 1, signal: null })
    // The session's summary links the run's test-run.md, and ls lists the session.
    const summary = readFileSync(
      join(dir, '.3pio/sessions', session.sessionId, 'summary.md'),
      'utf8',
    )
    expect(summary).toContain(`(../../runs/${runs[0]!.runId as string}/test-run.md)`)
    const ls = spawnSync(process.execPath, [CLI, 'ls'], {
      cwd: dir,
      encoding: 'utf8',
      env: cleanEnv(),
    })
    expect(ls.stdout).toMatch(
      new RegExp(`^${session.sessionId}  FAILED +1 run: 1 failed  exit 1  npm test$`, 'm'),
    )
  })

  it('pnpm -r test over a workspace of a Jest, a Vitest and a pytest package: one session, three runs', async () => {
    const dir = gitProject({
      'package.json': packageJson('workspace', { test: 'pnpm -r test' }),
      'pnpm-workspace.yaml': `packages:\n  - packages/*\n`,
      'packages/j/package.json': packageJson('j', { test: JEST_SCRIPT }, { jest: '^30.0.0' }),
      ...prefixed('packages/j/', { 'test/a.test.js': passing('log from j') }),
      'packages/v/package.json': packageJson('v', { test: VITEST_SCRIPT }, { vitest: '^4.0.0' }),
      ...prefixed('packages/v/', {
        'test/a.test.js': `import { test, expect } from 'vitest'\n${passing('log from v')}`,
      }),
      'packages/py/package.json': packageJson('py', { test: PYTEST_SCRIPT }),
      ...prefixed('packages/py/', { 'tests/test_a.py': `def test_passes():\n    print("out")\n` }),
    })
    install(dir, 'pnpm')
    const files = records()
    const closing = expectAsBare(await bareAndRecorded(dir, ['pnpm', '-r', 'test'], files))
    const { session, runs } = readSession(dir)
    expect(runs.map(runnerOf).sort()).toEqual(['jest', 'pytest', 'vitest'])
    expect(session).toMatchObject({ status: 'PASSED', exitCode: 0 })
    expectRecordsAgree(runs, files)
    // Each package's run is in its own .3pio, as with the reporter configured there.
    expect(
      session.runs
        .map((r) =>
          r.runDir
            .slice(dir.length + 1)
            .split('/')
            .slice(0, 3)
            .join('/'),
        )
        .sort(),
    ).toEqual(['packages/j/.3pio', 'packages/py/.3pio', 'packages/v/.3pio'])
    expect(closing.at(-1)).toBe(
      `threepio: 3 runs: 3 passed · exit status 0 · .3pio/sessions/${session.sessionId}/summary.md`,
    )
  })

  it('make test, and python -m pytest', async () => {
    const dir = gitProject({
      Makefile: `test:\n\t${PYTEST_SCRIPT.replace('$', () => '$$')}\n`,
      ...PYTEST_TESTS,
    })
    for (const command of [
      ['make', 'test'],
      ['python', '-m', 'pytest', '-o', 'junit_family=xunit1', '--junitxml', '$PYTEST_XML'],
    ]) {
      const files = records()
      const argv = command.map((a) => (a === '$PYTEST_XML' ? files.PYTEST_XML : a))
      const closing = expectAsBare(await bareAndRecorded(dir, argv, files))
      const { session, runs } = readSession(dir)
      expect(runs.map(runnerOf)).toEqual(['pytest'])
      expectRecordsAgree(runs, files)
      expect(session.status).toBe('FAILED')
      expect(closing.at(-1)).toMatch(/^threepio: 1 run: 1 failed · exit status [12] · /)
    }
  })

  it.each([
    [
      'nox',
      'noxfile.py',
      `import os\n\nimport nox\n\n\n@nox.session\ndef tests(session):\n    session.install("pytest")\n    session.run("pytest", "-o", "junit_family=xunit1", "--junitxml=" + os.environ["PYTEST_XML"])\n`,
    ],
    [
      'tox',
      'tox.ini',
      // tox 4 passes on only the variables pass_env names (the session adds its own).
      `[tox]\nskipsdist = true\n\n[testenv]\ndeps = pytest\npass_env = PYTEST_XML\ncommands = pytest -o junit_family=xunit1 --junitxml={env:PYTEST_XML}\n`,
    ],
  ])('%s, which installs pytest into a virtualenv of its own', async (tool, file, text) => {
    const dir = gitProject({ [file]: text, ...PYTEST_TESTS })
    const files = records()
    // A fresh virtualenv for each run, so that both print the same.
    const reset = () =>
      rmSync(join(dir, tool === 'tox' ? '.tox' : '.nox'), { recursive: true, force: true })
    const closing = expectAsBare(await bareAndRecorded(dir, [tool], files, { reset }))
    const { runs } = readSession(dir)
    expect(runs.map(runnerOf)).toEqual(['pytest'])
    expectRecordsAgree(runs, files)
    expect(closing.at(-1)).toMatch(/^threepio: 1 run: 1 failed · exit status 1 · /)
  })

  it('python -m pytest_threepio run (the wheel) lends the plugin to the pytest of another virtualenv', async () => {
    const dir = gitProject(PYTEST_TESTS)
    const files = records()
    const r = await spawnToEnd(
      join(pluginVenvBin, 'python'),
      [
        '-m',
        'pytest_threepio',
        'run',
        '--',
        join(venvBin, 'python'),
        '-m',
        'pytest',
        '-o',
        'junit_family=xunit1',
        '--junitxml',
        files.PYTEST_XML,
      ],
      { cwd: dir, env: cleanEnv() as Record<string, string> },
    )
    expect(r.exitCode, r.stderr).toBe(1)
    const { runs } = readSession(dir)
    expect(runs.map(runnerOf)).toEqual(['pytest'])
    expectRecordsAgree(runs, files)
    // The lent plugin reports the version of the command that lent it.
    const { version } = JSON.parse(
      readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8'),
    ) as { version: string }
    expect((runs[0]!.reporter as { version: string }).version).toBe(version)
  })

  it('a command that starts no runner still gets its session, output and exit status', async () => {
    const dir = gitProject({
      'build.sh': `echo compiling\necho "error: does not compile" >&2\nexit 2\n`,
    })
    const closing = expectAsBare(await bareAndRecorded(dir, ['sh', 'build.sh'], {}))
    const { session } = readSession(dir)
    expect(closing).toEqual([
      `threepio: no Jest, Vitest or pytest run was seen · exit status 2 · .3pio/sessions/${session.sessionId}/output.log`,
    ])
    const log = readFileSync(join(dir, '.3pio/sessions', session.sessionId, 'output.log'), 'utf8')
    expect(log).toBe('compiling\nerror: does not compile\n')
  })

  it('Ctrl+C ends the command as it does without threepio, and the session says so', async () => {
    const dir = gitProject({
      'package.json': packageJson(
        'fresh-jest',
        { test: 'npm run unit', unit: 'jest' },
        { jest: '^30.0.0' },
      ),
      ...JEST_TESTS,
    })
    install(dir, 'npm')
    const mark = join(tempDir(), 'waiting')
    const interrupted = await bareAndRecorded(
      dir,
      ['npm', 'test'],
      { HANG_MARK: mark },
      {
        reset: () => rmSync(mark, { force: true }), // written by the run before
        onStart: (proc) => void fileAppears(mark).then(() => killGroup(proc, 'SIGINT')),
      },
    )
    expect(interrupted.bare.exitCode !== 0 || interrupted.bare.signal !== null).toBe(true)
    expect(interrupted.ours.exitCode).toBe(interrupted.bare.exitCode)
    expect(interrupted.ours.signal).toBe(interrupted.bare.signal)
    const { session, runs } = readSession(dir)
    expect(session.status).toBe('INTERRUPTED')
    expect(runs.map((r) => r.status)).toEqual(['INTERRUPTED'])
  })
})

const passing = (log: string) =>
  `test('passes', () => {\n  console.log('${log}')\n  expect(1).toBe(1)\n})\n`

function prefixed(prefix: string, files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [prefix + k, v]))
}

/** Resolves when `file` exists (watching its folder: no polling). */
function fileAppears(file: string): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(dirname(file), () => {
      if (existsSync(file)) {
        watcher.close()
        resolve()
      }
    })
    if (existsSync(file)) {
      watcher.close()
      resolve()
    }
  })
}
