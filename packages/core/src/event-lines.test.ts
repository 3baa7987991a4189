import { describe, expect, it } from 'vitest'
import {
  outputMembers,
  outputPrefix,
  testEndMembers,
  testMembers,
  testStartMembers,
} from './event-lines.js'
import { isEvent } from './jsonl.js'
import { OutputEvent, TestEndEvent, TestStartEvent, type EventInput } from './schema.js'

/** The event as the recorder writes it from these members, read back. */
const line = (members: string): unknown => JSON.parse(`{"time":1700000000000,${members}}`)
/** The same event through JSON.stringify. */
const plain = (event: EventInput): unknown =>
  JSON.parse(JSON.stringify({ time: 1700000000000, ...event }))

const hostile = 'quote " backslash \\ newline \n tab \t nul \u0000 emoji 🎉 lone \ud800 é'
const tests = [
  { file: 'src/a.test.ts', project: undefined, test: { id: 'a::t', name: 't', suite: [] } },
  {
    file: '../outside/ü b.test.js',
    project: 'web',
    test: { id: `x::${hostile}`, name: hostile, suite: ['outer', hostile] },
  },
]

describe('event lines put together from parts', () => {
  it.each(tests)('test-start equals JSON.stringify and the schema ($file)', (t) => {
    const members = testStartMembers(testMembers(t.file, t.project, t.test))
    const event = { type: 'test-start', ...t } as EventInput
    expect(line(members)).toEqual(plain(event))
    expect(isEvent({ seq: 1, ...(line(members) as object) })).toBe(true)
  })

  const ends = [
    { status: 'passed' as const },
    { status: 'passed' as const, durationMs: 0 },
    { status: 'skipped' as const, durationMs: 1.25, attempt: 0 },
    {
      status: 'failed' as const,
      durationMs: 12,
      attempt: 2,
      error: { message: hostile, stack: 'at x', expected: '1', actual: '2' },
      location: { line: 3, column: 5 },
    },
    { status: 'todo' as const, location: { line: 1 } },
  ]
  it.each(ends)('test-end equals JSON.stringify and the schema (%o)', (end) => {
    for (const t of tests) {
      const members = testEndMembers(
        testMembers(t.file, t.project, t.test),
        end.status,
        end.durationMs,
        end.attempt,
        end.error,
        end.location,
      )
      const event = { type: 'test-end', ...t, ...end } as EventInput
      expect(line(members)).toEqual(plain(event))
      expect(isEvent({ seq: 1, ...(line(members) as object) })).toBe(true)
    }
  })

  it.each([
    ['src/a.test.ts', undefined, 'a::t', 'stdout'],
    ['src/a.test.ts', 'web', undefined, 'stderr'],
    [undefined, undefined, undefined, 'stdout'],
  ] as const)('output equals JSON.stringify and the schema (%s %s %s)', (file, project, id, s) => {
    for (const text of ['line\n', '', hostile, 'x'.repeat(10_000)]) {
      const members = outputMembers(outputPrefix(file, project, id, s), text)
      const event = { type: 'output', file, project, testId: id, stream: s, text } as EventInput
      expect(line(members)).toEqual(plain(event))
      expect(isEvent({ seq: 1, ...(line(members) as object) })).toBe(true)
    }
  })

  // A field the schema gains for these events must be added here, or named as one these parts
  // leave out (events that have it go through JSON.stringify of the whole event).
  it.each([
    ['test-start', TestStartEvent, ['file', 'project', 'test'], ['mode']],
    [
      'test-end',
      TestEndEvent,
      ['file', 'project', 'test', 'status', 'durationMs', 'attempt', 'error', 'location'],
      ['mode', 'reason', 'teardownError'],
    ],
    ['output', OutputEvent, ['file', 'project', 'testId', 'stream', 'text'], ['mode']],
  ] as const)('knows every field of %s', (_name, schema, parts, leftOut) => {
    const envelope = ['type', 'seq', 'time', 'shard'] // shard: set when shards are merged
    expect(Object.keys(schema.properties).sort()).toEqual(
      [...envelope, ...parts, ...leftOut].sort(),
    )
  })
})
