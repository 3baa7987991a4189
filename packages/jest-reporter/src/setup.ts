/**
 * `@threepio/jest-reporter/setup`: add it to `setupFilesAfterEnv` for live, per-test output.
 *
 * In each worker it records console output and `process.stdout/stderr.write` with the test that is
 * running (`expect.getState().currentTestName`) and appends them, as they happen, to a side file in
 * the run directory that the reporter merges into events.jsonl (in band, where the reporter is in
 * this process, the reporter installs the same capture itself and takes the output directly).
 * Output still reaches Jest exactly as before: every call goes through to the original. Without
 * the reporter it does nothing.
 */
import { installCapture } from './capture.js'
import {
  LIVE_HUB,
  ROOT_DIR_ENV,
  SIDE_DIR_ENV,
  type LiveHub,
  type TestFileGlobals,
} from './protocol.js'

declare const expect: TestFileGlobals['expect']
declare const beforeEach: TestFileGlobals['beforeEach']
declare const afterAll: TestFileGlobals['afterAll']
declare const jest: TestFileGlobals['jest']

const sideDir = process.env[SIDE_DIR_ENV]
const rootDir = process.env[ROOT_DIR_ENV]

if (sideDir && rootDir && typeof expect !== 'undefined' && typeof beforeEach === 'function') {
  const globals: TestFileGlobals = {
    expect,
    beforeEach,
    afterAll,
    jest: typeof jest !== 'undefined' ? jest : undefined,
    console,
    process,
    globalThis,
  }
  const hub = (process as unknown as Record<symbol, Partial<LiveHub> | undefined>)[LIVE_HUB]
  try {
    if (typeof hub?.install === 'function') hub.install(globals)
    else installCapture(globals, sideDir, rootDir, undefined)
  } catch {
    // never disturb the tests: their output still reaches the reporter at the file's end
  }
}
