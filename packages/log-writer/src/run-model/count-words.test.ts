/**
 * How a run's tests are put in words (`1 failed, 3 passed, 1 teardown error`), as a table the
 * pytest plugin's tests read too: without Node it prints its closing line itself, in these words.
 */
import { TEST_STATUSES, emptyCounts } from '@threepio/core'
import { describe, expect, it } from 'vitest'
import { formatTests } from './log-format.js'

function cases(): Array<{ counts: Record<string, number>; teardownErrors: number }> {
  const all = [{ counts: {}, teardownErrors: 0 }]
  for (const [i, status] of TEST_STATUSES.entries())
    all.push({ counts: { [status]: i + 1 }, teardownErrors: 0 })
  all.push({ counts: { passed: 3, failed: 1, skipped: 2, xfailed: 1 }, teardownErrors: 1 })
  all.push({ counts: { error: 1, todo: 4 }, teardownErrors: 2 })
  all.push({ counts: { passed: 1 }, teardownErrors: 1 })
  return all
}

describe('the words for a run’s tests', () => {
  it('match test-vectors/count-words.json', async () => {
    const table = cases().map((c) => ({
      ...c,
      text: formatTests({ ...emptyCounts(), ...c.counts }, c.teardownErrors),
    }))
    // One case a line: a table to read across, not a tree.
    const text = '[\n' + table.map((c) => JSON.stringify(c)).join(',\n') + '\n]\n'
    await expect(text).toMatchFileSnapshot('../../../core/test-vectors/count-words.json')
  })
})
