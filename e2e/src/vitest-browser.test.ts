/**
 * Vitest's browser mode: the tests of fixtures/vitest-browser run in headless Chromium (Debian's
 * `chromium`, which .ci/run installs where it is missing) through Playwright, recorded by the
 * configured reporter and by `threepio run` with nothing configured; each record equals Vitest's
 * json reporter of the same run, and console output lands under the test that printed it.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { expectSameRecord, jsonRecord, threepioRecord } from './conformance.js'
import { CLI, expectWellFormed, FIXTURES, run, tempDir, type RunResult } from './helpers.js'

const FIXTURE = join(FIXTURES, 'vitest-browser/console')
const VITEST = join(FIXTURES, 'vitest-browser/node_modules/vitest/vitest.mjs')

function expectBrowserRun(r: RunResult, vitestJson: string): void {
  expectWellFormed(r)
  expect(r.exitCode).toBe(1)
  expect(r.summary.runner).toMatchObject({ name: 'vitest' })
  const theirs = jsonRecord(JSON.parse(readFileSync(vitestJson, 'utf8')), FIXTURE)
  expectSameRecord(threepioRecord(r.summary, 'vitest'), theirs, "Vitest's json reporter")
  expect(r.summary.counts).toMatchObject({ passed: 2, failed: 1, skipped: 1, total: 4 })
  // Console output in the browser lands under the test that printed it, stream kept.
  const dom = r.log('dom.test.js [chromium]')
  expect(dom).toMatch(
    /▶ renders a button and logs\nrendered <button>Save<\/button>\n✓ PASSED renders a button and logs/,
  )
  expect(dom).toMatch(/▶ fails in the browser\n\[stderr\] about to fail in Chromium\n✗ FAILED/)
  // Output while a file loads comes with Vitest's unknown-test id and no file: the summary says so.
  expect(r.log('other.test.js [chromium]')).not.toContain('printed while the file loads')
  expect(r.summary.events).toMatchObject({ unattributedOutput: 1 })
  expect(r.markdown).toContain(
    "- 1 output line came with no file or test (in events.jsonl only): the runner did not say which file printed them (Vitest's browser mode, for output outside a test).",
  )
}

describe('Vitest 4 in browser mode (Playwright, headless Chromium)', () => {
  it('the configured reporter records it as Vitest counts it', async () => {
    const vitestJson = join(tempDir(), 'vitest.json')
    const r = await run(process.execPath, [VITEST, 'run'], {
      cwd: FIXTURE,
      env: { VITEST_JSON: vitestJson },
    })
    expectBrowserRun(r, vitestJson)
  })

  it('threepio run records it with nothing configured', async () => {
    const vitestJson = join(tempDir(), 'vitest.json')
    const out = join(tempDir(), '.3pio')
    const r = await run(process.execPath, [CLI, 'run', '--', process.execPath, VITEST, 'run'], {
      cwd: FIXTURE,
      env: { VITEST_JSON: vitestJson, WITHOUT_THREEPIO: '1', THREEPIO_DIR: out },
    })
    expectBrowserRun(r, vitestJson)
    expect(r.stderr).toMatch(/^threepio: 1 run: 1 failed · exit status 1 · /m)
  })
})
