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

  it('describe run ids as createRunId makes them', () => {
    const { runId } = sharedFacts() as { runId: { randomHexDigits: number } }
    const id = createRunId(
      new Date(Date.UTC(2026, 10, 22, 3, 10, 0)),
      'ab'.repeat(runId.randomHexDigits / 2),
    )
    expect(id).toMatch(RUN_ID_PATTERN)
    expect(id.startsWith('2026-11-22_03-10-00_')).toBe(true)
  })
})
