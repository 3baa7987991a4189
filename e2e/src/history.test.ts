/**
 * The history of runs with the real runners: a project under git, changed between runs, run by
 * Jest, Vitest and pytest as users install them. A new failure, a known one, a fixed test and a
 * flaky one (fails then passes on the same code) are each marked so in run.json, test-run.md,
 * the closing line and `threepio diff`; 40 failures from 2 causes read as 2 causes; the history
 * outlives retention, is rebuilt when deleted, and takes two runs that end at once.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { CLI, E2E_MODULES, FIXTURES, run, tempDir, type RunResult } from './helpers.js'

type Runner = 'jest' | 'vitest' | 'pytest'

let python = ''
beforeAll(async () => {
  const { ensureVenv } = (await import(join(FIXTURES, '../packages/pytest-bridge/venv.mjs'))) as {
    ensureVenv: (major: number) => string
  }
  python = join(ensureVenv(9), 'python')
})

const JS_TESTS = `
test('stays', () => expect(1).toBe(2))
test('breaks', () => expect(version).toBe(1))
test('mends', () => expect(version).toBe(2))
test('wobbles', () => expect(process.env.WOBBLE).not.toBe('fail'))
`
const PY_TESTS = `import json, os, pathlib
version = json.loads((pathlib.Path(__file__).parent / "version.json").read_text())["v"]
def test_stays(): assert 1 == 2
def test_breaks(): assert version == 1
def test_mends(): assert version == 2
def test_wobbles(): assert os.environ.get("WOBBLE") != "fail"
`

/** A project of one runner under git, with the installed reporters beside it. */
function project(runner: Runner, files: Record<string, string>): string {
  const dir = tempDir('threepio-history-')
  symlinkSync(join(FIXTURES, 'node_modules'), join(dir, 'node_modules'))
  const base: Record<Runner, Record<string, string>> = {
    vitest: {
      'package.json': '{ "type": "module" }\n',
      'vitest.config.mjs':
        "export default { test: { globals: true, include: ['**/*.test.mjs'], reporters: ['default', '@threepio/vitest-reporter'] } }\n",
    },
    jest: {
      'jest.config.cjs':
        "module.exports = { testMatch: ['**/*.test.cjs'], reporters: ['default', '@threepio/jest-reporter'] }\n",
    },
    pytest: { 'pytest.ini': '[pytest]\naddopts = -p threepio\n' },
  }
  for (const [name, text] of Object.entries({
    ...base[runner],
    ...files,
    'version.json': '{ "v": 1 }\n',
  }))
    writeFileSync(join(dir, name), text)
  writeFileSync(join(dir, '.gitignore'), 'node_modules\n__pycache__\n')
  git(dir, 'init', '-q')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', 'v1')
  return dir
}

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
    cwd: dir,
    stdio: 'ignore',
  })

const testFiles: Record<Runner, Record<string, string>> = {
  vitest: {
    'a.test.mjs': `import { readFileSync } from 'node:fs'\nconst { v: version } = JSON.parse(readFileSync(new URL('./version.json', import.meta.url), 'utf8'))\n${JS_TESTS}`,
  },
  jest: { 'a.test.cjs': `const { v: version } = require('./version.json')\n${JS_TESTS}` },
  pytest: { 'test_a.py': PY_TESTS },
}

/** One run of the runner in `dir`, recorded into `dir`/.3pio. */
function runIn(runner: Runner, dir: string, env: Record<string, string> = {}): Promise<RunResult> {
  const options = { cwd: dir, env: { THREEPIO_DIR: join(dir, '.3pio'), ...env } }
  if (runner === 'vitest')
    return run(process.execPath, [join(E2E_MODULES, 'vitest4/vitest.mjs'), 'run'], options)
  if (runner === 'jest')
    return run(process.execPath, [join(E2E_MODULES, 'jest30/bin/jest.js'), '--ci'], options)
  return run(python, ['-m', 'pytest', '-q'], options)
}

const name = (runner: Runner, test: string) => (runner === 'pytest' ? `test_${test}` : test)
const classes = (r: RunResult) =>
  Object.fromEntries(
    (r.summary.failures as Array<{ test: string; history?: string }>).map((f) => [
      f.test,
      f.history,
    ]),
  )

function threepio(dir: string, ...args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args, '--dir', join(dir, '.3pio')], {
    encoding: 'utf8',
  })
}

describe.each(['jest', 'vitest', 'pytest'] as const)('%s: history across runs', (runner) => {
  const n = (t: string) => name(runner, t)

  it('marks new, known, fixed and flaky failures in run.json, test-run.md, the closing line and diff', async () => {
    const dir = project(runner, testFiles[runner])
    const one = await runIn(runner, dir)
    expect(classes(one)).toEqual({ [n('stays')]: 'first', [n('mends')]: 'first' })

    writeFileSync(join(dir, 'version.json'), '{ "v": 2 }\n')
    git(dir, 'commit', '-q', '-am', 'v2')
    const two = await runIn(runner, dir)
    expect(classes(two)).toEqual({ [n('stays')]: 'known', [n('breaks')]: 'new' })
    expect(two.summary.headline).toMatch(/^2 failed \(1 new\), 2 passed · /)
    expect(two.stderr + two.stdout).toMatch(/threepio: FAILED · 2 failed \(1 new\), 2 passed/)
    expect((two.summary.history as { fixed: unknown }).fixed).toEqual([
      expect.objectContaining({ test: n('mends') }),
    ])
    expect(two.markdown).toContain(
      `- Fixed: 1 test that failed in the last run that ran them passes now:`,
    )
    expect(two.markdown).toMatch(new RegExp(`\`${n('breaks')}\` \\(failed, new\\)`))
    const diff = threepio(dir, 'diff')
    expect(diff).toContain(
      `Newly failing (1):\n  ✗ ${Object.keys(testFiles[runner])[0]} › ${n('breaks')}\n`,
    )
    expect(diff).toContain(`Fixed (1):\n  ✓ ${Object.keys(testFiles[runner])[0]} › ${n('mends')}\n`)

    const three = await runIn(runner, dir, { WOBBLE: 'fail' }) // the same code: wobbles is flaky
    expect(classes(three)).toEqual({
      [n('stays')]: 'known',
      [n('breaks')]: 'known',
      [n('wobbles')]: 'flaky',
    })
    expect(three.markdown).toContain(
      '- Flaky: 1 failing test passed on this same code in an earlier run:',
    )
    expect(threepio(dir, 'flaky')).toContain(
      `› ${n('wobbles')}  failed 1, passed 1 on the same code`,
    )
    expect(threepio(dir, 'diff')).toContain(
      `Newly failing (1):\n  ✗ ${Object.keys(testFiles[runner])[0]} › ${n('wobbles')}\n`,
    )
  })

  it('reads 40 failures from 2 causes as 2 causes', async () => {
    const dir = project(runner, causeFiles[runner])
    const r = await runIn(runner, dir)
    expect(r.summary.failuresTotal).toBe(40)
    const causes = r.summary.causes as Array<{
      count: number
      filesTotal: number
      signature: string
    }>
    expect(causes.map((c) => [c.count, c.filesTotal])).toEqual([
      [20, 2],
      [20, 2],
    ])
    expect(r.markdown).toContain('## Failures (40 from 2 causes)')
    expect(r.markdown.match(/^\d+\. ✗/gm)).toHaveLength(2)
  })
})

/** 20 tests in two files fail from one broken connection, 20 in two others from one missing fixture. */
const causeFiles: Record<Runner, Record<string, string>> = (() => {
  const js = (ext: string, imp: (m: string) => string) => ({
    [`db1.test.${ext}`]: `${imp('db')}\ntest.each(Array.from({ length: 10 }, (_, i) => i))('query %i', (i) => connect(5000 + i))\n`,
    [`db2.test.${ext}`]: `${imp('db')}\ntest.each(Array.from({ length: 10 }, (_, i) => i))('write %i', (i) => connect(6000 + i))\n`,
    [`load1.test.${ext}`]: `${imp('load')}\ntest.each(Array.from({ length: 10 }, (_, i) => i))('read %i', (i) => load(i))\n`,
    [`load2.test.${ext}`]: `${imp('load')}\ntest.each(Array.from({ length: 10 }, (_, i) => i))('parse %i', (i) => load(100 + i))\n`,
  })
  const helpers = {
    db: 'function connect(port) {\n  throw new Error(`connect ECONNREFUSED 127.0.0.1:${port}`)\n}',
    load: 'function load(i) {\n  throw new Error(`fixture missing: /tmp/data/${i}.json`)\n}',
  }
  return {
    vitest: {
      ...js('mjs', (m) => `import { ${m === 'db' ? 'connect' : 'load'} } from './${m}.mjs'`),
      'db.mjs': `export ${helpers.db}\n`,
      'load.mjs': `export ${helpers.load}\n`,
    },
    jest: {
      ...js('cjs', (m) => `const { ${m === 'db' ? 'connect' : 'load'} } = require('./${m}.cjs')`),
      'db.cjs': `${helpers.db}\nmodule.exports = { connect }\n`,
      'load.cjs': `${helpers.load}\nmodule.exports = { load }\n`,
    },
    pytest: {
      'helpers.py':
        'def connect(port):\n    raise ConnectionError(f"connect refused 127.0.0.1:{port}")\n\n\ndef load(i):\n    raise FileNotFoundError(f"fixture missing: /tmp/data/{i}.json")\n',
      'test_db1.py':
        'import pytest\nfrom helpers import connect\n\n@pytest.mark.parametrize("i", range(10))\ndef test_query(i):\n    connect(5000 + i)\n',
      'test_db2.py':
        'import pytest\nfrom helpers import connect\n\n@pytest.mark.parametrize("i", range(10))\ndef test_write(i):\n    connect(6000 + i)\n',
      'test_load1.py':
        'import pytest\nfrom helpers import load\n\n@pytest.mark.parametrize("i", range(10))\ndef test_read(i):\n    load(i)\n',
      'test_load2.py':
        'import pytest\nfrom helpers import load\n\n@pytest.mark.parametrize("i", range(10))\ndef test_parse(i):\n    load(100 + i)\n',
    },
  }
})()

describe('the history of runs in one project', () => {
  it('outlives keepRuns=2 over 5 runs, is rebuilt after deleting it, and takes two runs at once', async () => {
    const dir = project('vitest', testFiles.vitest)
    const records = () => readdirSync(join(dir, '.3pio/history/runs')).length
    for (let i = 0; i < 5; i++) await runIn('vitest', dir, { THREEPIO_KEEP_RUNS: '2' })
    expect(readdirSync(join(dir, '.3pio/runs')).filter((d) => d !== 'latest')).toHaveLength(2)
    expect(records()).toBe(5)
    const outcomes = threepio(dir, 'history', 'stays').trim().split('\n')
    expect(outcomes).toHaveLength(1 + 5)
    rmSync(join(dir, '.3pio/history'), { recursive: true })
    const rebuilt = await runIn('vitest', dir, { THREEPIO_KEEP_RUNS: '2' })
    expect(records()).toBe(2) // the one run kept beside this one (keepRuns counts it), then this one
    expect(rebuilt.summary.failures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ test: 'stays', history: 'known', failedRuns: 2 }),
      ]),
    )
    await Promise.all([runIn('vitest', dir), runIn('vitest', dir)])
    expect(records()).toBe(4)
    expect(readFileSync(join(dir, '.3pio/.gitignore'), 'utf8')).toContain('*') // out of git
  })
})
