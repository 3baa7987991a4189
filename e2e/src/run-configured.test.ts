/**
 * `threepio run` on the fixtures: where they configure threepio, the run is recorded once (by
 * the configured reporter or the installed plugin); with threepio left out of their
 * configuration, every supported Jest and Vitest is recorded as its own record counts.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectSameRecord, jsonRecord, threepioRecord } from './conformance.js'
import {
  CLI,
  E2E_MODULES,
  FIXTURES,
  NODE24,
  readRecordedRun,
  ROOT,
  spawnToEnd,
  tempDir,
} from './helpers.js'

/** A virtualenv with the pytest-threepio wheel installed. */
let pluginVenvBin = ''

beforeAll(async () => {
  const { ensureVenv } = (await import(join(ROOT, 'packages/pytest-bridge/venv.mjs'))) as {
    ensureVenv: (major: number) => string
  }
  pluginVenvBin = ensureVenv(9)
})

describe('threepio run, where threepio is configured already', () => {
  it.each([
    ['Jest', () => [process.execPath, join(E2E_MODULES, 'jest30/bin/jest.js')], 'jest/passing'],
    [
      'Vitest',
      () => [process.execPath, join(E2E_MODULES, 'vitest4/vitest.mjs'), 'run'],
      'vitest/console-output',
    ],
    [
      'pytest -p threepio',
      () => [join(pluginVenvBin, 'python'), '-m', 'pytest', '-p', 'threepio'],
      'pytest/outcomes',
    ],
  ])('%s: the run is recorded once', async (_name, command, fixture) => {
    const out = join(tempDir(), '.3pio')
    const r = await spawnToEnd(process.execPath, [CLI, 'run', '--dir', out, '--', ...command()], {
      cwd: join(FIXTURES, fixture),
      env: { THREEPIO_DIR: out },
    })
    expect(r.stderr).not.toContain('threepio: warning')
    const session = JSON.parse(
      spawnSync(process.execPath, [CLI, 'show', 'session', '--json', '--dir', out], {
        encoding: 'utf8',
      }).stdout,
    ) as { runs: unknown[] }
    expect(session.runs).toHaveLength(1)
    expect(readdirSync(join(out, 'runs')).filter((id) => /^\d/.test(id))).toHaveLength(1)
  })
})

describe('threepio run, with threepio left out of the configuration', () => {
  it.each([
    ['Jest 29', process.execPath, 'jest29/bin/jest.js', 'jest/console-output'],
    ['Jest 30', process.execPath, 'jest30/bin/jest.js', 'jest/console-output'],
    ['Vitest 3', process.execPath, 'vitest3/vitest.mjs', 'vitest/console-output'],
    ['Vitest 4', process.execPath, 'vitest4/vitest.mjs', 'vitest/console-output'],
    ['Vitest 5', NODE24, 'vitest5/vitest.mjs', 'vitest/console-output'],
  ])('%s is recorded as its own record counts it', async (_name, node, bin, fixture) => {
    const out = join(tempDir(), '.3pio')
    const own = join(tempDir(), 'own.json')
    const jest = bin.startsWith('jest')
    const args = jest ? ['--json', `--outputFile=${own}`] : ['run']
    const r = await spawnToEnd(
      process.execPath,
      [CLI, 'run', '--', node, join(E2E_MODULES, bin), ...args],
      {
        cwd: join(FIXTURES, fixture),
        env: { THREEPIO_DIR: out, WITHOUT_THREEPIO: '1', VITEST_JSON: own },
      },
    )
    expect(r.stderr).not.toContain('threepio: warning')
    expect(r.stderr).toMatch(/^threepio: 1 run: 1 (passed|failed) · exit status \d · /m)
    const run = readRecordedRun(out, r)
    expectSameRecord(
      threepioRecord(run.summary, jest ? 'jest' : 'vitest'),
      jsonRecord(JSON.parse(readFileSync(own, 'utf8')), run.summary.rootDir as string),
      `${_name}'s own record`,
    )
  })
})
