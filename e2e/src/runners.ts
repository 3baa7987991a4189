/**
 * The real Vitest and Jest on fixtures, each with its own record of the same run (Vitest's json
 * reporter, `jest --json`), returning `{ exitCode, signal, stdout, stderr, runDir, events,
 * summary, json }`.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  E2E_MODULES,
  FIXTURES,
  NODE24,
  run,
  spawnToEnd,
  tempDir,
  type RunResult,
  type SpawnOptions,
} from './helpers.js'

export type VitestVersion = 3 | 4 | 5
export const VITEST_VERSIONS: VitestVersion[] = [3, 4, 5]

export interface VitestRun extends RunResult {
  /** Vitest's own json reporter output for the same run. */
  json: {
    numTotalTests: number
    numPassedTests: number
    numFailedTests: number
    numPendingTests: number
    numTodoTests: number
    testResults: Array<{
      name: string
      status: string
      message: string
      assertionResults: Array<{ status: string; fullName: string }>
    }>
  }
}

/** Runs `vitest run` of one major version on fixtures/vitest/<fixture>. */
export async function runVitest(
  version: VitestVersion,
  fixture: string,
  options: {
    args?: string[]
    onStart?: SpawnOptions['onStart']
    env?: Record<string, string>
  } = {},
): Promise<VitestRun> {
  const jsonFile = join(tempDir(), 'vitest.json')
  const bin = join(E2E_MODULES, `vitest${version}/vitest.mjs`)
  const node = version === 5 ? NODE24 : process.execPath
  const result = await run(node, [bin, 'run', ...(options.args ?? [])], {
    cwd: join(FIXTURES, 'vitest', fixture),
    env: { VITEST_JSON: jsonFile, ...options.env },
    ...(options.onStart ? { onStart: options.onStart } : {}),
  })
  const json = existsSync(jsonFile) ? JSON.parse(readFileSync(jsonFile, 'utf8')) : undefined
  return { ...result, json }
}

/** The same `vitest run` without threepio, for comparing how the process ends. */
export async function runVitestBare(
  version: VitestVersion,
  fixture: string,
  onStart?: SpawnOptions['onStart'],
): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const bin = join(E2E_MODULES, `vitest${version}/vitest.mjs`)
  return spawnToEnd(version === 5 ? NODE24 : process.execPath, [bin, 'run'], {
    cwd: join(FIXTURES, 'vitest', fixture),
    env: { WITHOUT_THREEPIO: '1', VITEST_JSON: join(tempDir(), 'bare.json') },
    ...(onStart ? { onStart } : {}),
  })
}

export type JestVersion = 29 | 30
export const JEST_VERSIONS: JestVersion[] = [29, 30]

export interface JestRun extends RunResult {
  /** `jest --json` for the same run. */
  json: {
    numTotalTests: number
    numPassedTests: number
    numFailedTests: number
    numPendingTests: number
    numTodoTests: number
    numFailedTestSuites: number
    numRuntimeErrorTestSuites: number
    testResults: Array<{
      name: string
      status: string
      message: string
      assertionResults: Array<{ status: string; fullName: string }>
    }>
  }
}

/** Runs Jest of one major version on fixtures/jest/<fixture>, with `--json` for comparison. */
export async function runJest(
  version: JestVersion,
  fixture: string,
  options: {
    args?: string[]
    live?: boolean
    onStart?: SpawnOptions['onStart']
    env?: Record<string, string>
    bare?: boolean
  } = {},
): Promise<JestRun> {
  const jsonFile = join(tempDir(), 'jest.json')
  const bin = join(E2E_MODULES, `jest${version}/bin/jest.js`)
  const args = [bin, '--ci', '--json', `--outputFile=${jsonFile}`, ...(options.args ?? [])]
  const env = { ...(options.live ? { THREEPIO_LIVE: '1' } : {}), ...options.env }
  const cwd = join(FIXTURES, 'jest', fixture)
  const result = await run(process.execPath, args, {
    cwd,
    env,
    ...(options.onStart ? { onStart: options.onStart } : {}),
  })
  const json = existsSync(jsonFile) ? JSON.parse(readFileSync(jsonFile, 'utf8')) : undefined
  return { ...result, json }
}

/** The same Jest run without threepio, for comparing how the process ends. */
export async function runJestBare(
  version: JestVersion,
  fixture: string,
  onStart?: SpawnOptions['onStart'],
): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }> {
  const bin = join(E2E_MODULES, `jest${version}/bin/jest.js`)
  return spawnToEnd(process.execPath, [bin, '--ci'], {
    cwd: join(FIXTURES, 'jest', fixture),
    env: { WITHOUT_THREEPIO: '1' },
    ...(onStart ? { onStart } : {}),
  })
}
