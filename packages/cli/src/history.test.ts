import type { TestStatus } from '@threepio/core'
import { RunRecorder } from '@threepio/log-writer'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../log-writer/test/helpers/run-dir.js'
import { type CliIo } from './io.js'
import { main } from './main.js'

async function cli(args: string[], cwd: string) {
  let out = ''
  let err = ''
  const io: CliIo = { out: (t) => (out += t), err: (t) => (err += t), env: {}, cwd }
  const code = await main(args, io)
  return { code, out, err }
}

/** A run of `a.test.ts` with these tests, recorded as a reporter records one. */
function recordRun(outputDir: string, tests: Record<string, TestStatus>): string {
  const r = RunRecorder.start({
    runner: { name: 'vitest', version: '4.1.0' },
    reporter: { name: 'x', version: '0' },
    rootDir: '/p',
    options: { outputDir, quiet: true },
    handleExit: false,
  })!
  r.emit({ type: 'file-start', file: 'a.test.ts' })
  for (const [name, status] of Object.entries(tests))
    r.emit({ type: 'test-end', file: 'a.test.ts', test: { id: name, name, suite: [] }, status })
  r.emit({ type: 'file-end', file: 'a.test.ts' })
  const failed = Object.values(tests).includes('failed')
  r.end({ status: failed ? 'failed' : 'passed' })
  return r.runId
}

describe('questions across runs', () => {
  it('diff: newly failing, fixed, newly skipped, added and removed, from the last two runs', async () => {
    const dir = tempDir()
    const out = `${dir}/.3pio`
    const first = recordRun(out, { x: 'passed', y: 'failed', z: 'passed', gone: 'passed' })
    const second = recordRun(out, { x: 'failed', y: 'passed', z: 'skipped', added: 'passed' })
    const { code, out: text } = await cli(['diff'], dir)
    expect(code).toBe(0)
    expect(text).toBe(
      [
        `${first} FAILED → ${second} FAILED`,
        '',
        'Newly failing (1):',
        '  ✗ a.test.ts › x',
        '',
        'Fixed (1):',
        '  ✓ a.test.ts › y',
        '',
        'Newly skipped (1):',
        '  ○ a.test.ts › z',
        '',
        'Added (1):',
        '  + a.test.ts › added',
        '',
        'Removed (1):',
        '  - a.test.ts › gone',
        '',
      ].join('\n'),
    )
    const json = JSON.parse((await cli(['diff', first, second, '--json'], dir)).out)
    expect(json.newlyFailing).toEqual([{ file: 'a.test.ts', test: 'x' }])
  })

  it('history: a test across runs, newest first; flaky: none without the code they ran', async () => {
    const dir = tempDir()
    const out = `${dir}/.3pio`
    const first = recordRun(out, { x: 'passed' })
    const second = recordRun(out, { x: 'failed' })
    const { out: text } = await cli(['history', 'a.test.ts › x'], dir)
    expect(text.split('\n').slice(0, 3)).toEqual([
      'a.test.ts › x',
      `  ${second}  failed    <50 ms  no git`,
      `  ${first}  passed    <50 ms  no git`,
    ])
    expect((await cli(['flaky'], dir)).out).toBe(
      'no flaky tests in 2 run(s): none both passed and failed on the same code\n',
    )
  })

  it('says where the history is when there is none', async () => {
    const dir = tempDir()
    const r = await cli(['diff'], dir)
    expect(r.code).toBe(1)
    expect(r.err).toContain('no history of runs in ')
  })
})

describe('hostile names', () => {
  it('print as text: no terminal escapes reach the terminal', async () => {
    const dir = tempDir()
    recordRun(`${dir}/.3pio`, { 'red \u001b[31m name \u0007': 'failed' })
    const { out } = await cli(['history', 'red'], dir)
    expect(out).not.toContain('\u001b')
    expect(out).not.toContain('\u0007')
    expect(out).toContain('a.test.ts › red  name �')
  })
})
