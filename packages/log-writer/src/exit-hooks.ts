/**
 * Exit and signal hooks that leave the process's fate unchanged.
 *
 * On SIGINT, SIGTERM or SIGHUP the callback runs first (our listener is prepended, so it also
 * sees handlers that frameworks register with `once`), synchronously. Then:
 * - when nobody else listens for that signal, the signal is raised again with our listener
 *   removed, so the process dies by it exactly as it would have without threepio;
 * - when the framework handles it (Vitest exits with 130/143), it is left to do so. A safety
 *   timer raises the signal after `graceMs` should the process still be alive, so a handler that
 *   does not exit cannot keep it running (unref'd: it never delays a normal exit).
 * On a normal exit ('exit' event) the callback runs with the exit code.
 */

/** Signals that end a test run from a terminal, CI runner or supervisor. */
export const EXIT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

export type ExitCallback = (cause: { signal?: NodeJS.Signals; code?: number }) => void

/** Installs the hooks; returns a function that removes them. */
export function onProcessEnd(callback: ExitCallback, graceMs = 10_000): () => void {
  let done = false
  const once = (cause: { signal?: NodeJS.Signals; code?: number }) => {
    if (done) return
    done = true
    try {
      callback(cause)
    } catch {
      // the process is going: nothing must stop it
    }
  }
  const onExit = (code: number) => once({ code })
  const handlers = new Map<NodeJS.Signals, () => void>()
  const remove = () => {
    process.off('exit', onExit)
    for (const [sig, fn] of handlers) process.off(sig, fn)
    handlers.clear()
  }
  for (const sig of EXIT_SIGNALS) {
    const handler = () => {
      const othersHandleIt = process.listenerCount(sig) > 1
      once({ signal: sig })
      remove()
      if (!othersHandleIt) {
        process.kill(process.pid, sig)
        return
      }
      setTimeout(() => process.kill(process.pid, sig), graceMs).unref()
    }
    handlers.set(sig, handler)
    process.prependListener(sig, handler)
  }
  process.on('exit', onExit)
  return remove
}
