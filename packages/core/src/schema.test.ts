import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
import { emptyCounts, fileStatus } from './status-rules.js'
import { EVENT_TYPES, eventJsonSchema, TEST_STATUSES, TestStatus, type Counts } from './schema.js'
import { isEvent } from './jsonl.js'

const examplesDir = join(import.meta.dirname, '../test/examples')
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ name: f, event: JSON.parse(readFileSync(join(examplesDir, f), 'utf8')) }))

describe('TEST_STATUSES', () => {
  it('lists exactly the statuses of the schema', () => {
    const literals = TestStatus.anyOf.map((s: { const: string }) => s.const)
    expect([...TEST_STATUSES].sort()).toEqual([...literals].sort())
  })
})

describe('schema.json', () => {
  it('is generated from the TypeBox source (run `pnpm schema` after changing schema.ts)', async () => {
    await expect(JSON.stringify(eventJsonSchema(), null, 2) + '\n').toMatchFileSnapshot(
      '../schema.json',
    )
  })

  // The committed file, as users get it (not the in-memory TypeBox value).
  const schemaFile = join(import.meta.dirname, '../schema.json')
  const committed = JSON.parse(readFileSync(schemaFile, 'utf8'))
  const validate = new Ajv({ strict: false, allErrors: true }).compile(committed)

  it('has an example for every event type', () => {
    expect(new Set(examples.map((e) => e.event.type))).toEqual(new Set(EVENT_TYPES))
  })

  it.each(examples)('validates the $name example', ({ event }) => {
    expect(validate(event), JSON.stringify(validate.errors)).toBe(true)
    expect(isEvent(event)).toBe(true)
  })

  it('accepts unknown fields, as readers must', () => {
    const event = { ...examples[0]!.event, futureField: { x: 1 } }
    expect(validate(event)).toBe(true)
  })

  it.each([
    ['a missing seq', { type: 'file-start', time: 1, file: 'a' }],
    ['seq 0', { type: 'file-start', seq: 0, time: 1, file: 'a' }],
    [
      'an unknown test status',
      { ...examples.find((e) => e.name === 'test-end.json')!.event, status: 'ok' },
    ],
    ['an unknown stream', { type: 'output', seq: 1, time: 1, stream: 'stdin', text: '' }],
    ['a run-end without status', { type: 'run-end', seq: 1, time: 1, durationMs: 1 }],
    ['an unknown mode', { type: 'file-start', seq: 1, time: 1, file: 'a', mode: 'browser' }],
    [
      'a wrong schema version',
      { ...examples.find((e) => e.name === 'run-start.json')!.event, schema: 3 },
    ],
  ])('rejects %s', (_name, event) => {
    expect(validate(event)).toBe(false)
    expect(isEvent(event)).toBe(false)
  })
})

describe('fileStatus', () => {
  const counts = (c: Partial<Counts>): Counts => {
    const all = { ...emptyCounts(), ...c }
    all.total = TEST_STATUSES.reduce((n, s) => n + all[s], 0)
    return all
  }
  it.each([
    [{}, {}, 'passed'],
    [{ passed: 2 }, {}, 'passed'],
    [{ passed: 2, failed: 1 }, {}, 'failed'],
    [{ passed: 2, error: 1 }, {}, 'failed'],
    [{ skipped: 1, todo: 1, xfailed: 1 }, {}, 'skipped'],
    [{ skipped: 1, passed: 1 }, {}, 'passed'],
    [{ xpassed: 1 }, {}, 'passed'],
    [{}, { failedToLoad: true, error: { message: 'x' } }, 'error'],
    [{ passed: 1 }, { failedToLoad: true }, 'error'],
    [{ passed: 1 }, { error: { message: 'afterAll failed' } }, 'failed'],
    [{ failed: 1 }, { teardownErrors: 1 }, 'failed'],
    [{}, { skipReason: 'no numpy' }, 'skipped'],
    [{ skipped: 2 }, { skipReason: 'no numpy' }, 'skipped'],
    [{ passed: 1 }, { skipReason: 'late skip' }, 'passed'],
  ] as const)('%o with %o → %s', (c, facts, expected) => {
    expect(fileStatus({ counts: counts(c), ...facts })).toBe(expected)
  })
})
