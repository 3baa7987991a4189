/**
 * Four runs at once in one project, sharing one output directory: each gets a complete run
 * directory, and retention never deletes a run that another process is still writing.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../src/helpers.js'
import { consistencyProblems, faultRun, preparePython, recorded, RUNNERS } from './runners.js'

beforeAll(preparePython)

for (const runner of RUNNERS) {
  describe(runner.name, () => {
    it.for([0, 2])('4 runs at once, THREEPIO_KEEP_RUNS=%i', async (keep) => {
      const outputDir = join(tempDir(), '.3pio')
      const env = { THREEPIO_DIR: outputDir, THREEPIO_KEEP_RUNS: String(keep) }
      const runs = await Promise.all([1, 2, 3, 4].map(() => faultRun(runner, 'faults', { env })))
      const ids = runs.map((r) => /runs\/([^/]+)\/test-run\.md/.exec(r.stderr)?.[1])
      expect(new Set(ids).size).toBe(4)
      for (const r of runs) {
        expect(r.exitCode).toBe(1) // the fixture's failing tests
        // A run deleted while live would have been recreated, with a warning.
        expect(r.warnings).toEqual([])
      }
      // Each run, read through its own `latest`-independent id, is complete and consistent.
      for (const [i, r] of runs.entries()) {
        const rec = await recorded(runner, { ...r, outputDir }, { runId: ids[i]! })
        if (!rec) continue // pruned after it ended, by a later run (keep 2)
        expect(consistencyProblems(rec)).toEqual([])
        expect(rec.events.at(-1)?.type).toBe('run-end')
        expect(rec.summary?.status).toBe('FAILED')
      }
      // (runs/latest is the link to the newest of them)
      const left = readdirSync(join(outputDir, 'runs')).filter((name) => name !== 'latest')
      if (keep === 0) expect(left.sort()).toEqual([...ids].sort())
      else expect(left.length).toBeGreaterThanOrEqual(keep)
    })
  })
}
