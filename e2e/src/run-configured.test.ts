/**
 * `threepio run` in a project that configures threepio already (the fixtures do): the run is
 * recorded once, by the configured reporter or the installed plugin.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { CLI, E2E_MODULES, FIXTURES, ROOT, spawnToEnd, tempDir } from './helpers.js'

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
