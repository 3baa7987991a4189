/** Hostile names and output through a real runner: no crash, nothing outside the run directory. */
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { expectWellFormed, runVitest } from './helpers.js'

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? allFiles(p) : [p]
  })
}

describe('hostile input', () => {
  it('traversal, control characters, 10,000-character names, 50 MB of output at once', async () => {
    const r = await runVitest(3, 'hostile')
    expect(r.exitCode).toBe(0)
    expectWellFormed(r)
    expect(r.summary).toMatchObject({ status: 'PASSED', counts: { passed: 5 } })
    // Everything threepio wrote is inside the output directory, in this run's folder or `latest`.
    for (const file of allFiles(r.outputDir)) {
      const rel = relative(r.outputDir, file)
      expect(rel === 'latest' || rel.startsWith(relative(r.outputDir, r.runDir) + '/')).toBe(true)
    }
    expect(r.logs()).toEqual(['weird %252E name.test.js.log'])
    const log = r.log('weird %252E name.test.js')
    expect(log.length).toBeGreaterThan(50 * 1024 * 1024)
    expect(log).toContain('bad \ufffd surrogate \ufffd and  escape')
    expect(r.stderr).not.toContain('threepio: warning')
  })
})
