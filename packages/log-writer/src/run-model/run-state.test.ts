import { type Event } from '@threepio/core'
import { describe, expect, it } from 'vitest'
import { RunState } from './run-state.js'

let seq = 0
const ev = (e: Record<string, unknown>): Event => ({ seq: ++seq, time: 1000 + seq, ...e }) as Event
const test = { id: 'a.test.ts::t', name: 't', suite: [] }

describe('RunState', () => {
  it('keeps a file’s counts when a runner reports events after its end', () => {
    const state = new RunState()
    state.apply(ev({ type: 'file-start', file: 'a.test.ts' }))
    state.apply(ev({ type: 'test-end', file: 'a.test.ts', test, status: 'passed' }))
    state.apply(
      ev({
        type: 'file-end',
        file: 'a.test.ts',
      }),
    )
    const late = [
      state.apply(ev({ type: 'test-start', file: 'a.test.ts', test })),
      state.apply(
        ev({
          type: 'output',
          file: 'a.test.ts',
          testId: test.id,
          stream: 'stdout',
          text: 'late line\n',
        }),
      ),
      state.apply(ev({ type: 'test-end', file: 'a.test.ts', test, status: 'passed' })),
      state.apply(ev({ type: 'file-end', file: 'a.test.ts' })),
    ]
    expect(state.counts).toMatchObject({ passed: 1, total: 1 })
    expect(state.files.get('\0\0a.test.ts')).toMatchObject({
      status: 'passed',
      counts: { passed: 1 },
    })
    expect(late.map((a) => a?.text ?? '').join('')).toContain('· after the file ended\n')
    expect(late.map((a) => a?.text ?? '').join('')).toContain('late line\n')
    state.finish()
    expect(state.files.get('\0\0a.test.ts')?.status).toBe('passed')
  })
})
