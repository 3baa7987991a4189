import { describe, expect, it } from 'vitest'
import { createRunId, RUN_ID_PATTERN } from './run-dir.js'
import { createRequire } from 'node:module'
import { sharedFacts } from './shared-facts.js'

/** ci-info's providers, as the JavaScript reporters detect them (Python reads the same). */
const ciVendors = createRequire(import.meta.url)('ci-info/vendors.json') as unknown[]

describe('shared facts', () => {
  it('are what the Python package reads (run `pnpm schema` after changing shared-facts.ts)', async () => {
    await expect(JSON.stringify(sharedFacts(ciVendors), null, 2) + '\n').toMatchFileSnapshot(
      '../../pytest-bridge/src/pytest_threepio/_shared.json',
    )
  })

  it('describe run ids as createRunId makes them (run-ids.json: the cases Python formats too)', async () => {
    const { runId } = sharedFacts() as { runId: { randomHexDigits: number } }
    const random = 'ab'.repeat(runId.randomHexDigits / 2)
    const cases = [Date.UTC(2026, 10, 22, 3, 10, 0), Date.UTC(1999, 11, 31, 23, 59, 59, 999)]
    const vectors = cases.map((utcMs) => ({
      utcMs,
      random,
      id: createRunId(new Date(utcMs), random),
    }))
    for (const v of vectors) expect(v.id).toMatch(RUN_ID_PATTERN)
    expect(createRunId()).toMatch(RUN_ID_PATTERN)
    await expect(
      '[\n' + vectors.map((v) => '  ' + JSON.stringify(v)).join(',\n') + '\n]\n',
    ).toMatchFileSnapshot('../test-vectors/run-ids.json')
  })
})
