import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Event } from '@threepio/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { tempDir } from '../../test/helpers/run-dir.js'
import { RunDirectory } from './run-directory.js'

afterEach(() => {
  vi.useRealTimers()
})

let seq = 0
const at = (time: number, event: Record<string, unknown>) =>
  ({ seq: ++seq, time, ...event }) as Event
const test = (name: string) => ({ id: `a.test.js::${name}`, name, suite: [] })

describe('RunDirectory, live', () => {
  it('writes lines that waited for their turn in the log at once, not after the usual delay', () => {
    vi.useFakeTimers()
    const runDir = join(tempDir(), 'run')
    mkdirSync(join(runDir, 'logs'), { recursive: true })
    const dir = new RunDirectory(runDir, { mode: 'live', logFlushMs: 10_000 })
    const log = join(runDir, 'logs', 'a.test.js.log')
    const read = () => (existsSync(log) ? readFileSync(log, 'utf8') : '')
    const file = 'a.test.js'
    dir.apply(
      at(0, {
        type: 'run-start',
        schema: 2,
        runId: 'r',
        runner: { name: 'vitest', version: '4' },
        reporter: { name: 'x', version: '0' },
        rootDir: '/p',
        cwd: '/p',
        argv: [],
        pid: 1,
      }),
    )
    dir.apply(at(1, { type: 'file-start', file }))
    dir.apply(at(2, { type: 'test-start', file, test: test('first') }))
    // Vitest: the next test's output comes before this test's result (results come in batches).
    dir.apply(
      at(40, {
        type: 'output',
        file,
        testId: test('second').id,
        stream: 'stdout',
        text: 'from second\n',
      }),
    )
    vi.advanceTimersByTime(0)
    expect(read()).not.toContain('from second') // held behind the first test's block
    dir.apply(at(90, { type: 'test-end', file, test: test('first'), status: 'passed' }))
    vi.advanceTimersByTime(0)
    expect(read()).toContain('from second')
    expect(read().indexOf('first')).toBeLessThan(read().indexOf('from second'))
    // Lines that waited for nothing keep the usual delay.
    dir.apply(
      at(95, {
        type: 'output',
        file,
        testId: test('second').id,
        stream: 'stdout',
        text: 'again\n',
      }),
    )
    vi.advanceTimersByTime(0)
    expect(read()).not.toContain('again')
    vi.advanceTimersByTime(10_000)
    expect(read()).toContain('again')
    dir.finish()
  })
})
