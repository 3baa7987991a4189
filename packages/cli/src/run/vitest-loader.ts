/**
 * Module hooks for a Vitest process under `threepio run` (node:module `registerHooks` in the
 * thread where Node.js has it, else `register`, whose hooks run in a thread of their own): in the
 * module that defines Vitest's `Vitest` class, one statement after `this.reporters = …` hands the
 * instance to hook-vitest.ts. Every other module loads untouched.
 */
export type LoadResult = { format?: string; source?: string | ArrayBuffer | ArrayBufferView }
type NextLoad = (url: string, context: unknown) => Promise<LoadResult>

const VITEST_API = /[\\/]vitest[\\/]dist[\\/]chunks[\\/]cli-api\.[^\\/]*\.js$/
/** The assignment, as Vitest 3, 4 and 5 write it in `_setServer` (an async method). */
const ANCHOR = /(\n([ \t]*)this\.reporters = [^\n]*;)/
const CALL = 'await globalThis[Symbol.for("threepio.run.vitest")]?.(this);'

export async function load(url: string, context: unknown, nextLoad: NextLoad) {
  return patched(url, await nextLoad(url, context))
}

/** The module as loaded, with the statement added where it is Vitest's `Vitest` class. */
export function patched(url: string, result: LoadResult): LoadResult {
  if (!VITEST_API.test(url) || result.source === undefined) return result
  const source =
    typeof result.source === 'string'
      ? result.source
      : new TextDecoder().decode(result.source as ArrayBuffer)
  if (!ANCHOR.test(source)) {
    process.stderr.write(
      'threepio: warning: this version of Vitest cannot be recorded by `threepio run`; add the reporter to vitest.config instead (README: "Vitest").\n',
    )
    return result
  }
  return { ...result, source: source.replace(ANCHOR, `$1\n$2${CALL}`) }
}
