import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../test/helpers/run-dir.js'
import {
  sessionClosingLine,
  sessionMarkdown,
  sessionRuns,
  sessionStatus,
  type SessionJson,
  type SessionRun,
} from './session.js'

const run = (status: string): SessionRun => ({
  runDir: `/p/.3pio/runs/${status}`,
  runId: status,
  status,
  runner: 'jest 30.0.0',
  headline: '1 passed',
})

const session = (over: Partial<SessionJson> = {}): SessionJson => ({
  sessionId: '2026-12-07_10-00-00_00000000',
  status: 'FAILED',
  command: ['npm', 'test'],
  cwd: '/p',
  pid: 1,
  startedAt: '2026-12-07T10:00:00.000Z',
  endedAt: '2026-12-07T10:00:01.000Z',
  durationMs: 1000,
  exitCode: 1,
  signal: null,
  captured: ['stdout', 'stderr'],
  runs: [run('PASSED'), run('FAILED')],
  ...over,
})

describe('a session', () => {
  it('is as bad as the worst of its command and its runs', () => {
    expect(sessionStatus([run('PASSED')], 0, null)).toBe('PASSED')
    expect(sessionStatus([], 0, null)).toBe('PASSED')
    // A failed run is a failed session, even where the command hid it (`npm test || true`).
    expect(sessionStatus([run('FAILED')], 0, null)).toBe('FAILED')
    expect(sessionStatus([run('PASSED')], 2, null)).toBe('FAILED')
    expect(sessionStatus([run('INCOMPLETE')], 0, null)).toBe('FAILED')
    expect(sessionStatus([run('PASSED')], null, 'SIGINT')).toBe('INTERRUPTED')
    expect(sessionStatus([run('INTERRUPTED')], 130, null)).toBe('INTERRUPTED')
  })

  it('lists the runs that joined it once each, in order, reading each run.json', () => {
    const dir = tempDir()
    const a = join(dir, 'a')
    mkdirSync(a)
    writeFileSync(
      join(a, 'run.json'),
      JSON.stringify({
        status: 'PASSED',
        runner: { name: 'vitest', version: '4.0.0' },
        headline: '2 passed',
      }),
    )
    writeFileSync(join(dir, 'runs'), `${a}\n${join(dir, 'gone')}\n${a}\n`)
    expect(sessionRuns(dir)).toEqual([
      { runDir: a, runId: 'a', status: 'PASSED', runner: 'vitest 4.0.0', headline: '2 passed' },
      {
        runDir: join(dir, 'gone'),
        runId: 'gone',
        status: 'INCOMPLETE',
        runner: null,
        headline: null,
      },
    ])
  })

  it('closes with one line: its runs, how the command ended, where the summary is', () => {
    const dir = '/p/.3pio/sessions/2026-12-07_10-00-00_00000000'
    expect(sessionClosingLine(session(), dir, '/p')).toBe(
      'threepio: 2 runs: 1 passed, 1 failed · exit status 1 · .3pio/sessions/2026-12-07_10-00-00_00000000/summary.md',
    )
    expect(
      sessionClosingLine(
        session({ runs: [], signal: 'SIGINT', exitCode: null }),
        dir,
        '/elsewhere',
      ),
    ).toBe(`threepio: no Jest, Vitest or pytest run was seen · ended by SIGINT · ${dir}/output.log`)
  })

  it('keeps a hostile command and headline inside their cells', () => {
    const md = sessionMarkdown(
      session({
        command: ['sh', '-c', 'echo `x` | tee y'],
        runs: [{ ...run('FAILED'), headline: 'a | b' }],
        captured: ['stderr'],
      }),
      '/p/.3pio/sessions/s',
    )
    expect(md).toContain('``sh -c echo `x` \\| tee y``')
    expect(md).toContain(
      '| FAILED | jest 30.0.0 | a \\| b | [`.3pio/runs/FAILED`](../../runs/FAILED/test-run.md) |',
    )
    expect(md).toContain('(without its stdout: a terminal, left to the command as it is)')
  })
})
