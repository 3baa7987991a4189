/**
 * Jest under `threepio run`: the threepio reporter joins the reporters Jest reads from its
 * configuration, after them. Jest's CLI (and `runCLI` wherever it is called) reads its
 * configuration through `jest-config`'s `readConfigs`, looked up on that module's exports at the
 * call; wrapping it there adds the reporter whatever starts Jest. Nothing is added where a
 * threepio reporter is configured already: that run is recorded once.
 */
import Module, { createRequire } from 'node:module'

type Reporters = Array<string | [string, Record<string, unknown>]>
interface ReadConfigsResult {
  globalConfig: { reporters?: Reporters } & Record<string, unknown>
}
type ReadConfigs = (...args: unknown[]) => Promise<ReadConfigsResult>
type Load = (request: string, parent: unknown, isMain: boolean) => unknown

const WRAPPED = Symbol.for('threepio.run.readConfigs')

/**
 * The variables by which Jest 30 picks its agent reporter when none is configured (@jest/core's
 * TestScheduler): with the reporter list written out, Jest's own choice is kept.
 */
const JEST_AGENT_VARS = [
  'AI_AGENT',
  'AUGMENT_AGENT',
  'CLAUDE_CODE',
  'CLAUDECODE',
  'CODEX_SANDBOX',
  'CODEX_THREAD_ID',
  'CURSOR_AGENT',
  'GEMINI_CLI',
  'GOOSE_PROVIDER',
  'OPENCODE',
  'REPL_ID',
]

/** Watches `require('jest-config')` in this process (a check of one string per require). */
export function hookJest(): void {
  const loader = Module as unknown as { _load: Load }
  const load = loader._load
  loader._load = function (this: unknown, request, parent, isMain) {
    const exports = load.call(this, request, parent, isMain)
    if (request === 'jest-config') wrapReadConfigs(exports as Record<PropertyKey, unknown>, parent)
    return exports
  }
}

function wrapReadConfigs(jestConfig: Record<PropertyKey, unknown>, parent: unknown): void {
  const readConfigs = jestConfig.readConfigs as ReadConfigs | undefined
  if (typeof readConfigs !== 'function' || jestConfig[WRAPPED]) return
  const from = (parent as { filename?: string } | undefined)?.filename
  jestConfig[WRAPPED] = true
  jestConfig.readConfigs = async function (this: unknown, ...args: unknown[]) {
    const result = await readConfigs.apply(this, args)
    try {
      return withThreepio(result, from)
    } catch (err) {
      process.stderr.write(`threepio: warning: not recording this Jest run: ${String(err)}\n`)
      return result
    }
  }
}

function withThreepio(result: ReadConfigsResult, from: string | undefined): ReadConfigsResult {
  const { globalConfig } = result
  const configured = globalConfig.reporters
  if (configured?.some((r) => isThreepio(typeof r === 'string' ? r : r[0]))) return result
  const reporter = createRequire(import.meta.url).resolve('@threepio/jest-reporter')
  const reporters: Reporters = [...(configured ?? [[jestDefault(from), {}]]), [reporter, {}]]
  return { ...result, globalConfig: Object.freeze({ ...globalConfig, reporters }) }
}

/** Jest's reporter where none is configured: `agent` where this Jest has one and an agent runs it. */
function jestDefault(from: string | undefined): string {
  try {
    const reporters = createRequire(from ?? import.meta.url)('@jest/reporters') as object
    const agent = 'AgentReporter' in reporters && JEST_AGENT_VARS.some((v) => process.env[v])
    return agent ? 'agent' : 'default'
  } catch {
    return 'default'
  }
}

/** A reporter entry naming threepio's Jest reporter (by package name or installed path). */
export function isThreepio(entry: string): boolean {
  return /@threepio[\\/]jest-reporter\b/.test(entry)
}
