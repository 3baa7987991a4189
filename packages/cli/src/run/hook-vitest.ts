/**
 * Vitest under `threepio run`: the threepio reporter joins the reporters Vitest made from its
 * configuration. Vitest keeps them on its instance and has no hook for adding one from outside
 * its configuration, so a module hook (vitest-loader.ts) adds one statement after Vitest sets
 * `this.reporters`, calling {@link addReporter}. Only a process whose main module is Vitest's own
 * command gets the hook; nothing is added where a threepio reporter is configured already.
 */
import { realpathSync } from 'node:fs'
import * as nodeModule from 'node:module'
import { pathToFileURL } from 'node:url'
import { patched, type LoadResult } from './vitest-loader.js'

/** Node.js 22.15 and later: module hooks in this thread, which cost Vitest's start less. */
type RegisterHooks = (hooks: {
  load: (
    url: string,
    context: unknown,
    next: (url: string, context: unknown) => LoadResult,
  ) => LoadResult
}) => void

export const ADD_REPORTER = Symbol.for('threepio.run.vitest')

interface VitestLike {
  reporters: unknown[]
  config?: { mode?: string }
}

/** Hooks Vitest if this process is Vitest's command (`vitest/vitest.mjs`). */
export function hookVitest(): void {
  const main = process.argv[1]
  if (!main || !/vitest/.test(main)) return
  let real: string
  try {
    real = realpathSync(main)
  } catch {
    return
  }
  if (!/[\\/]vitest[\\/]vitest\.mjs$/.test(real)) return
  ;(globalThis as Record<symbol, unknown>)[ADD_REPORTER] = addReporter
  const registerHooks = (nodeModule as { registerHooks?: RegisterHooks }).registerHooks
  if (registerHooks)
    registerHooks({ load: (url, context, next) => patched(url, next(url, context)) })
  else nodeModule.register(new URL('./vitest-loader.js', import.meta.url))
}

async function addReporter(vitest: VitestLike): Promise<void> {
  try {
    if (vitest.config?.mode === 'benchmark') return
    const ours = vitest.reporters.some(
      (r) => (r as object | null)?.constructor?.name === 'ThreepioVitestReporter',
    )
    if (ours) return
    const path = nodeModule.createRequire(import.meta.url).resolve('@threepio/vitest-reporter')
    const esm = path.replace(/\.cjs$/, '.js')
    const { default: Reporter } = (await import(pathToFileURL(esm).href)) as {
      default: new () => unknown
    }
    vitest.reporters.push(new Reporter())
  } catch (err) {
    process.stderr.write(`threepio: warning: not recording this Vitest run: ${String(err)}\n`)
  }
}
