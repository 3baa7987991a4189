import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeEvents, encodeEvent, EventDecoder, skippedLines } from './jsonl.js'
import type { Event } from './schema.js'

const RUNS = 10_000

const fileStart = (seq: number, file = 'a.test.ts'): Event => ({
  type: 'file-start',
  seq,
  time: 1000 + seq,
  file,
})

/** Valid events of several shapes, with awkward text. */
const eventArb: fc.Arbitrary<Event> = fc.oneof(
  fc
    .record({ seq: fc.integer({ min: 1 }), file: fc.string({ unit: 'binary' }) })
    .map(({ seq, file }): Event => ({ type: 'file-start', seq, time: 1, file })),
  fc
    .record({
      seq: fc.integer({ min: 1 }),
      text: fc.string({ unit: 'binary', maxLength: 200 }),
      stderr: fc.boolean(),
    })
    .map(({ seq, text, stderr }): Event => ({
      type: 'output',
      seq,
      time: 2.5,
      stream: stderr ? 'stderr' : 'stdout',
      text,
    })),
  fc
    .record({ seq: fc.integer({ min: 1 }), message: fc.string({ unit: 'grapheme' }) })
    .map(({ seq, message }): Event => ({
      type: 'diagnostic',
      seq,
      time: 3,
      level: 'warn',
      message,
    })),
)

/** Lines that must be skipped: garbage, wrong shapes, unknown types. */
const badLineArb = fc.oneof(
  fc.uint8Array({ maxLength: 50 }).map((b) => Buffer.from(b.filter((x) => x !== 10))),
  fc
    .constantFrom(
      '{',
      '[]',
      '42',
      'null',
      '"x"',
      '{"type":"file-start"}',
      '{"type":"from-the-future","seq":1,"time":1}',
      '{"type":"output","seq":1,"time":1,"stream":"stdin","text":""}',
    )
    .map((s) => Buffer.from(s)),
  fc.constant(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), // invalid UTF-8
)

function chunked(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const out: Buffer[] = []
  let prev = 0
  for (const p of points) {
    out.push(bytes.subarray(prev, p))
    prev = p
  }
  out.push(bytes.subarray(prev))
  return out
}

describe('encodeEvent / decodeEvents', () => {
  it('round-trips one line per event', () => {
    const events = [fileStart(1), fileStart(2, 'ü\n"quoted"\u2028')]
    const text = events.map(encodeEvent).join('')
    expect(text.split('\n')).toHaveLength(3)
    expect(decodeEvents(text).events).toEqual(events)
  })

  it('degrades values JSON cannot carry instead of throwing', () => {
    const cyclic: Record<string, unknown> = {
      type: 'diagnostic',
      seq: 1,
      time: 1,
      level: 'warn',
      message: 'm',
    }
    cyclic.self = cyclic
    cyclic.big = 10n
    const line = encodeEvent(cyclic as unknown as Event)
    expect(JSON.parse(line)).toMatchObject({ message: 'm', self: '[Circular]', big: '10' })
  })

  it('skips and counts every kind of bad line, and goes on', () => {
    const lines = [
      encodeEvent(fileStart(1)),
      'not json\n',
      '{"type":"file-start","seq":2}\n',
      '{"type":"brand-new","seq":3,"time":1}\n',
      '[1,2]\n',
      '\n',
      encodeEvent(fileStart(4)).replace('\n', '\r\n'),
    ]
    const bytes = Buffer.concat([
      Buffer.from(lines.join('')),
      Buffer.from([0x7b, 0xc3, 0x28, 0x7d, 0x0a]), // invalid UTF-8
      Buffer.from(encodeEvent(fileStart(5))),
      Buffer.from('{"type":"file-start","seq":6,"ti'), // truncated last line
    ])
    const { events, stats } = decodeEvents(bytes)
    expect(events.map((e) => e.seq)).toEqual([1, 4, 5])
    expect(stats).toEqual({
      events: 3,
      invalidUtf8: 1,
      invalidJson: 1,
      invalidEvent: 2,
      unknownType: 1,
      tooLong: 0,
      truncated: 1,
    })
    expect(skippedLines(stats)).toBe(6)
  })

  it('bounds line length without holding the long line', () => {
    const decoder = new EventDecoder({ maxLineBytes: 1024 })
    const out = [
      ...decoder.push(Buffer.from(encodeEvent(fileStart(1)))),
      ...decoder.push(Buffer.alloc(800, 0x61)),
    ]
    for (let i = 0; i < 100; i++) out.push(...decoder.push(Buffer.alloc(1000, 0x61)))
    expect(decoder.bufferedBytes).toBe(0)
    out.push(...decoder.push(Buffer.from('\n' + encodeEvent(fileStart(2)))))
    decoder.end()
    expect(out.map((d) => d.event.seq)).toEqual([1, 2])
    expect(decoder.stats.tooLong).toBe(1)
    expect(decoder.stats.truncated).toBe(0)
  })

  it('reports the offset after each event', () => {
    const a = encodeEvent(fileStart(1))
    const b = encodeEvent(fileStart(2))
    const decoder = new EventDecoder()
    const out = decoder.push(Buffer.from(a + b + '{"partial'))
    expect(out.map((d) => d.end)).toEqual([Buffer.byteLength(a), Buffer.byteLength(a + b)])
    expect(decoder.committedOffset).toBe(Buffer.byteLength(a + b))
  })

  it('never throws on arbitrary bytes, whatever the chunking (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.integer({ min: 1, max: 64 }),
        (bytes, cuts, max) => {
          const decoder = new EventDecoder({ maxLineBytes: max })
          for (const chunk of chunked(Buffer.from(bytes), cuts)) decoder.push(chunk)
          decoder.end()
          const lines = Buffer.from(bytes).toString('latin1').split('\n').length
          expect(decoder.stats.events + skippedLines(decoder.stats)).toBeLessThanOrEqual(lines)
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('recovers every valid event among bad lines, whatever the chunking (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            eventArb.map((e) => ({ ok: true as const, e })),
            badLineArb.map((b) => ({ ok: false as const, b })),
          ),
          { maxLength: 20 },
        ),
        fc.array(fc.nat(), { maxLength: 8 }),
        (items, cuts) => {
          const bytes = Buffer.concat(
            items.map((i) =>
              i.ok ? Buffer.from(encodeEvent(i.e)) : Buffer.concat([i.b, Buffer.from('\n')]),
            ),
          )
          const decoder = new EventDecoder()
          const got: Event[] = []
          for (const chunk of chunked(bytes, cuts))
            got.push(...decoder.push(chunk).map((d) => d.event))
          decoder.end()
          const expected = items.flatMap((i) => (i.ok ? [i.e] : []))
          expect(got).toEqual(JSON.parse(JSON.stringify(expected)))
          const nonEmptyBad = items.filter(
            (i) => !i.ok && i.b.length > 0 && !(i.b.length === 1 && i.b[0] === 13),
          ).length
          expect(skippedLines(decoder.stats)).toBe(nonEmptyBad)
        },
      ),
      { numRuns: RUNS },
    )
  })
})
