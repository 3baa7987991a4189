import { type Event } from '@threepio/core'
import { describe, expect, it } from 'vitest'
import { HOLD_MS } from './log-arranger.js'
import { RunState } from './run-state.js'

const FILE = 'a.test.ts'

/** One file's log from these events (time in ms, each event's own), replayed as a reader does. */
function logOf(events: Array<[time: number, event: Record<string, unknown>]>): string {
  const state = new RunState()
  let seq = 0
  let text = ''
  const add = (a: { text: string } | undefined) => (text += a?.text ?? '')
  for (const [time, e] of events) {
    add(state.apply({ seq: ++seq, time, file: FILE, ...e } as Event))
    for (const held of state.releaseHeld(time)) add(held)
  }
  for (const a of state.finish()) add(a)
  // Without the header (its run id and time): the lines that follow it.
  return text.split('\n').slice(3).join('\n')
}

const t = (name: string) => ({ id: name, name, suite: [] })
const start = (name: string) => ({ type: 'test-start', test: t(name) })
const out = (name: string | null, text: string) => ({
  type: 'output',
  ...(name !== null ? { testId: name } : {}),
  stream: 'stdout',
  text,
})
const end = (name: string) => ({ type: 'test-end', test: t(name), status: 'passed' })

describe('the log of a file', () => {
  it('keeps each test together when the next one’s output arrives before this one’s result (Vitest)', () => {
    const log = logOf([
      [0, { type: 'file-start' }],
      [1, start('a')],
      [1, out('a', 'a prints\n')],
      [2, start('b')],
      [2, out('b', 'b prints\n')],
      [3, end('a')],
      [3, end('b')],
      [4, { type: 'file-end' }],
    ])
    expect(log).toBe(
      [
        '▶ a',
        'a prints',
        '✓ PASSED a',
        '▶ b',
        'b prints',
        '✓ PASSED b',
        '',
        '■ PASSED a.test.ts · 2 passed · 4 ms',
        '',
      ].join('\n'),
    )
  })

  it('writes output that arrives after its test’s result after the block being written, marked', () => {
    const log = logOf([
      [0, { type: 'file-start' }],
      [1, start('a')],
      [2, end('a')],
      [3, start('b')],
      [4, out('a', 'late from a\n')],
      [5, out('b', 'b prints\n')],
      [6, end('b')],
      [7, { type: 'file-end' }],
    ])
    expect(log).toMatch(/^▶ a\n✓ PASSED a\n▶ b\nb prints\n✓ PASSED b\n· output of a\nlate from a\n/)
  })

  it('writes a test that runs beside a long one once it has waited the hold, then marks the long one', () => {
    const log = logOf([
      [0, { type: 'file-start' }],
      [0, start('long')],
      [1, out('long', 'long begins\n')],
      [2, start('short')],
      [3, end('short')],
      [2 + HOLD_MS, out('long', 'long goes on\n')],
      [3 + HOLD_MS, end('long')],
      [4 + HOLD_MS, { type: 'file-end' }],
    ])
    expect(log).toMatch(
      /^▶ long\nlong begins\n▶ short\n✓ PASSED short\n· output of long\nlong goes on\n✓ PASSED long/,
    )
  })

  it('writes lines held after the file ended when no more events come', () => {
    const log = logOf([
      [0, { type: 'file-start' }],
      [1, { type: 'file-end' }],
      [2, start('a')],
      [3, start('b')],
      [4, out('b', 'b after the end\n')],
    ])
    expect(log).toContain('▶ a\n▶ b\nb after the end\n')
  })

  it('marks output of no test, and streams the test that runs as it prints', () => {
    const state = new RunState()
    let seq = 0
    const apply = (e: Record<string, unknown>) =>
      state.apply({ seq: ++seq, time: seq, file: FILE, ...e } as Event)?.text ?? ''
    apply({ type: 'file-start' })
    expect(apply(out(null, 'while loading\n'))).toBe(
      '· output not attributed to a test\nwhile loading\n',
    )
    expect(apply(start('a'))).toBe('▶ a\n')
    expect(apply(out('a', 'part'))).toBe('part')
    expect(apply(out('a', 'ial\n'))).toBe('ial\n')
    // Output of the next test waits for this one's result, then comes with it.
    expect(apply(start('b'))).toBe('')
    expect(apply(out('b', 'b\n'))).toBe('')
    expect(apply(end('a'))).toBe('✓ PASSED a\n▶ b\nb\n')
  })
})
