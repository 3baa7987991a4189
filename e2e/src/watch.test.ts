/**
 * Watch mode in a pseudo-terminal, as people run it: `vitest --watch` and `jest --watch` under
 * `script`, a file changed after the first run, then `q`. Each round is its own run, and a rerun
 * says how many files it covered, so nobody takes it for the whole suite.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { listRunIds } from '@threepio/log-writer'
import { FIXTURES, NODE24, tempDir } from './helpers.js'
import { VITEST_VERSIONS, JEST_VERSIONS } from './runners.js'

const E2E_MODULES = join(import.meta.dirname, '../node_modules')
const made: string[] = []
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true })
})

/**
 * A suite of two files in a new folder beside the runner's fixtures (so it resolves threepio),
 * untracked by git, which decides what `jest --watch` runs; removed after the tests.
 */
function suite(runner: 'vitest' | 'jest'): string {
  const dir = mkdtempSync(join(FIXTURES, runner, 'watch-'))
  made.push(dir)
  if (runner === 'vitest')
    writeFileSync(
      join(dir, 'vitest.config.mjs'),
      "import { config } from '../shared.mjs'\n\nexport default config()\n",
    )
  else writeFileSync(join(dir, 'jest.config.cjs'), "module.exports = require('../shared.cjs')()\n")
  writeFileSync(join(dir, 'a.test.js'), "test('a', () => { expect(1).toBe(1) })\n")
  writeFileSync(join(dir, 'b.test.js'), "test('b', () => { expect(2).toBe(2) })\n")
  return dir
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g

/**
 * Runs `command` in a pseudo-terminal (`script`); after the first closing line, `change()`;
 * after the second, `q`. Resolves with the terminal's text once the runner has quit.
 */
async function watchSession(command: string[], cwd: string, outputDir: string, change: () => void) {
  const quoted = command.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
  const proc = spawn('script', ['-qfec', quoted, '/dev/null'], {
    cwd,
    env: { ...process.env, THREEPIO_DIR: outputDir, FORCE_COLOR: '0', NO_COLOR: '1', CI: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  })
  let text = ''
  let rounds = 0
  const closing = /threepio: [A-Z]+/g
  const done = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)))
  const timer = setTimeout(() => {
    try {
      process.kill(-proc.pid!, 'SIGKILL')
    } catch {
      // gone
    }
  }, 60_000)
  const onData = (d: Buffer) => {
    text += d.toString('utf8')
    const seen = (text.replace(ANSI, '').match(closing) ?? []).length
    if (seen > rounds) {
      rounds = seen
      if (rounds === 1) change()
      if (rounds === 2) proc.stdin!.write('q')
    }
  }
  proc.stdout!.on('data', onData)
  proc.stderr!.on('data', onData)
  const code = await done
  clearTimeout(timer)
  return { code, text: text.replace(ANSI, ''), rounds }
}

function runsOf(outputDir: string) {
  return listRunIds(outputDir).map((id) => {
    const dir = join(outputDir, 'runs', id)
    return {
      json: JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as {
        status: string
        watch?: { round: number; files: number }
        counts: { total: number }
        fileListTotal: number
      },
      md: readFileSync(join(dir, 'test-run.md'), 'utf8'),
    }
  })
}

describe.each(VITEST_VERSIONS)('Vitest %i --watch', (version) => {
  it('each rerun is its own run, marked as a rerun of the files it ran', async () => {
    const dir = suite('vitest')
    const outputDir = join(tempDir(), '.3pio')
    mkdirSync(outputDir)
    const node = version === 5 ? NODE24 : process.execPath
    const bin = join(E2E_MODULES, `vitest${version}/vitest.mjs`)
    const session = await watchSession([node, bin, '--watch'], dir, outputDir, () =>
      writeFileSync(join(dir, 'b.test.js'), "test('b', () => { expect(2).toBe(3) })\n"),
    )
    expect(session.rounds, session.text.slice(-3000)).toBe(2)
    const [first, rerun] = runsOf(outputDir)
    expect(first?.json).toMatchObject({ status: 'PASSED', watch: { round: 1, files: 2 } })
    expect(first?.json.counts.total).toBe(2)
    expect(rerun?.json).toMatchObject({ status: 'FAILED', watch: { round: 2, files: 1 } })
    expect(rerun?.json.fileListTotal).toBe(1)
    expect(rerun?.md.split('\n')[0]).toMatch(/^# FAILED \(watch rerun of 1 file\) · vitest /)
    expect(session.text).toMatch(/threepio: FAILED \(watch rerun of 1 file\) · 1 failed/)
  })
})

describe.each(JEST_VERSIONS)('Jest %i --watch', (version) => {
  it('each rerun is its own run, marked as a rerun of the files it ran', async () => {
    const dir = suite('jest')
    const outputDir = join(tempDir(), '.3pio')
    mkdirSync(outputDir)
    const bin = join(E2E_MODULES, `jest${version}/bin/jest.js`)
    // --watch runs the tests of files changed since the last commit: both, as git sees them
    // as new (untracked), in every round.
    const session = await watchSession([process.execPath, bin, '--watch'], dir, outputDir, () =>
      writeFileSync(join(dir, 'b.test.js'), "test('b', () => { expect(2).toBe(3) })\n"),
    )
    expect(session.rounds, session.text.slice(-3000)).toBe(2)
    const [first, rerun] = runsOf(outputDir)
    expect(first?.json).toMatchObject({ status: 'PASSED', watch: { round: 1, files: 2 } })
    expect(first?.md.split('\n')[0]).toMatch(/^# PASSED \(watch mode, first run of 2 files\)/)
    expect(rerun?.json).toMatchObject({ status: 'FAILED', watch: { round: 2, files: 2 } })
    expect(rerun?.json.fileListTotal).toBe(2)
    expect(rerun?.md.split('\n')[0]).toMatch(/^# FAILED \(watch rerun of 2 files\) · jest /)
    // b passed in the first round and fails now: new to the history.
    expect(session.text).toMatch(
      /threepio: FAILED \(watch rerun of 2 files\) · 1 failed \(1 new\), 1 passed/,
    )
  })
})
