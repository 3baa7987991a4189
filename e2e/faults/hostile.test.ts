/**
 * Hostile input through each real runner: test names with `../`, control characters and 10,000
 * characters, a test printing 50 MB at once, lone surrogates and invalid UTF-8 in the output.
 * No crash, no warning, nothing written outside the run directory, and the logs are what the
 * events say.
 */
import { statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { listFiles } from '../src/helpers.js'
import { consistencyProblems, faultRun, preparePython, recorded, RUNNERS } from './runners.js'

beforeAll(preparePython)

for (const runner of RUNNERS) {
  describe(runner.name, () => {
    it('hostile names and output', async () => {
      const run = await faultRun(runner, 'hostile')
      expect(run.exitCode, run.stderr.slice(-2000)).toBe(0)
      expect(run.warnings).toEqual([])
      const rec = await recorded(runner, run)
      expect(rec).toBeDefined()
      expect(consistencyProblems(rec!)).toEqual([])
      expect(rec!.summary).toMatchObject({ status: 'PASSED', counts: { passed: 5, total: 5 } })
      // Everything threepio wrote is inside the output directory: this run's folder, `latest`,
      // the runs/latest link, the directory's .gitignore, and the run's record in the history
      // with the lists of test names it refers to (named by their digests, not by the names).
      const runFolder = relative(run.outputDir, rec!.runDir)
      const own = ['latest', '.gitignore', 'runs/latest']
      const runId = runFolder.split('/').pop()!
      const history = new RegExp(
        `^history/(runs/\\d{15}_${runId}\\.json\\.gz|names/[0-9a-f]{20}\\.json)$`,
      )
      for (const rel of listFiles(run.outputDir)) {
        const inRun = rel.startsWith(runFolder + '/') || rel.startsWith('runs/latest/')
        expect(own.includes(rel) || inRun || history.test(rel), rel).toBe(true)
      }
      // One log, holding the 50 MB line whole.
      const logs = listFiles(rec!.runDir)
        .filter((f) => f.endsWith('.log'))
        .map((f) => join(rec!.runDir, f))
      expect(logs).toHaveLength(1)
      expect(statSync(logs[0]!).size).toBeGreaterThan(50 * 1024 * 1024)
    })
  })
}
