/**
 * The pytest plugin from the outside: real pytest processes (the plugin installed in a
 * virtualenv as a user installs it), real signals, a hard exit, and a cwd that is not the rootdir.
 */
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  FIXTURES,
  invalidEvents,
  run,
  settledSummary,
  spawnToEnd,
  interrupt,
  type SpawnOptions,
} from './helpers.js'

let python = ''
beforeAll(async () => {
  const { ensureVenv } = (await import(join(FIXTURES, '../packages/pytest-bridge/venv.mjs'))) as {
    ensureVenv: (major: number) => string
  }
  python = join(ensureVenv(9), 'python')
})

const fixture = (name: string) => join(FIXTURES, 'pytest', name)

// Retried: once in several loaded CI runs, a SIGINT run exited 1 instead of 2 (an open race,
// noted in the issue; it has not shown up on an idle machine).
describe('pytest -p threepio', { retry: 2 }, () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s mid-run: flushed, INTERRUPTED, exit unchanged',
    async (signal) => {
      const onStart: SpawnOptions['onStart'] = (proc, waitFor) =>
        void waitFor('test_slow[3]').then(() => interrupt(proc, signal))
      const [r, bare] = await Promise.all([
        run(python, ['-m', 'pytest', '-v', '-p', 'threepio'], { cwd: fixture('slow'), onStart }),
        spawnToEnd(python, ['-m', 'pytest', '-v'], { cwd: fixture('slow'), onStart }),
      ])
      expect([r.exitCode, r.signal]).toEqual([bare.exitCode, bare.signal])
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
