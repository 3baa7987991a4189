/**
 * Several test runs at once in one project share one output directory: each gets a complete run
 * directory of its own, and retention never deletes a run that another process is still writing.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeEvents } from '@threepio/core'
import { describe, expect, it } from 'vitest'
import { runVitest, tempDir } from './helpers.js'

describe('4 runs at once in one project', () => {
  it.each([0, 2])(
    'all complete with THREEPIO_KEEP_RUNS=%i, none deleted while live',
    async (keep) => {
      const outputDir = join(tempDir(), '.3pio')
      const env = { THREEPIO_DIR: outputDir, THREEPIO_KEEP_RUNS: String(keep) }
      const runs = await Promise.all(
        [1, 2, 3, 4].map(() => runVitest(3, 'console-output', { env })),
      )
      const ids = runs.map((r) => /runs\/([^/]+)\/test-run\.md/.exec(r.stderr)?.[1])
      expect(new Set(ids).size).toBe(4)
      for (const r of runs) {
        expect(r.exitCode).toBe(0)
        // A run deleted while live would have to be recreated, with a warning.
        expect(r.stderr).not.toContain('threepio: warning')
      }
      const left = readdirSync(join(outputDir, 'runs'))
      if (keep === 0) expect(left.sort()).toEqual([...ids].sort())
      else expect(left.length).toBeGreaterThanOrEqual(keep)
      for (const id of left) {
        const runDir = join(outputDir, 'runs', id)
        const { events, stats } = decodeEvents(readFileSync(join(runDir, 'events.jsonl')))
        expect(stats.truncated + stats.invalidJson).toBe(0)
        expect(events.at(-1)?.type).toBe('run-end')
        expect(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')).status).toBe('PASSED')
      }
    },
  )
})
