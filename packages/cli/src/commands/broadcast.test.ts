import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { Broadcast } from './broadcast.js'

/** A reader that holds at most `bytes` before it is read. */
const reader = (bytes: number) => new PassThrough({ highWaterMark: bytes })
const drained = (r: PassThrough) => String(r.read() ?? '')

describe('Broadcast', () => {
  it('writes every message to a reader that keeps up', () => {
    const b = new Broadcast()
    const r = reader(1024)
    b.add(r)
    for (const m of ['a', 'b', 'c']) b.send(m)
    expect(drained(r)).toBe('abc')
  })

  it('gives a reader that falls behind the newest message once it has read, not every one', async () => {
    const b = new Broadcast()
    const slow = reader(4)
    const fast = reader(1024)
    b.add(slow)
    b.add(fast)
    b.send('first')
    b.send('second')
    b.send('third')
    expect(drained(fast)).toBe('firstsecondthird')
    // Once the slow reader has taken 'first', the newest goes next, alone.
    let taken = drained(slow)
    await new Promise((resolve) => setImmediate(resolve))
    taken += drained(slow)
    expect(taken).toBe('firstthird')
  })

  it('forgets a reader that went away', () => {
    const b = new Broadcast()
    const r = reader(1024)
    b.add(r)
    b.remove(r)
    b.send('gone')
    expect(b.size).toBe(0)
    expect(drained(r)).toBe('')
  })
})
