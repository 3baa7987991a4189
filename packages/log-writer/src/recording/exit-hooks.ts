/**
 * Exit and signal hooks that leave the process's fate unchanged.
 *
 * On SIGINT, SIGTERM or SIGHUP our listener is prepended, so it also sees handlers that
 * frameworks register with `once`. Then:
 * - when nobody else listens for that signal, the signal is raised again with our listener
 *   removed, so the process dies by it exactly as it would have without threepio;
 * - when the framework handles it (Vitest exits with 130/143), its handler runs undelayed and the
 *   callback runs (with the signal) when the process exits. A safety timer runs the callback and
 *   raises the signal after `graceMs` should the process still be alive, so a handler that does
 *   not exit cannot keep it running (unref'd: it never delays a normal exit).
 * On exit ('exit' event, our listener again first) the callback runs with the exit code.
 */

import { writeSync } from 'node:fs'

/** Signals that end a test run from a terminal, CI runner or supervisor. */
export const EXIT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

export type ExitCallback = (cause: { signal?: NodeJS.Signals; code?: number }) => void

/** Why a run ended as interrupted, for its run-end `reason`. */
export function interruptedBy(cause: { signal?: NodeJS.Signals; code?: number }): string {
  return cause.signal
    ? `received ${cause.signal}`
    : `the process exited (code ${cause.code ?? 0}) before the run ended`
}

/** Installs the hooks; returns a function that removes them. */
export function onProcessEnd(callback: ExitCallback, graceMs = 10_000): () => void {
  let done = false
  let received: NodeJS.Signals | undefined
  const once = (cause: { signal?: NodeJS.Signals; code?: number }) => {
    if (done) return
    done = true
    try {
      callback(cause)
    } catch {
      // the process is going: nothing must stop it
    }
  }
  const onExit = (code: number) => once(received ? { signal: received, code } : { code })
  const handlers = new Map<NodeJS.Signals, () => void>()
  const remove = () => {
    process.off('exit', onExit)
    for (const [sig, fn] of handlers) process.off(sig, fn)
    handlers.clear()
  }
  const raise = (sig: NodeJS.Signals) => {
    once({ signal: sig })
    remove()
    process.kill(process.pid, sig)
  }
  for (const sig of EXIT_SIGNALS) {
    const handler = () => {
      if (process.listenerCount(sig) <= 1) return raise(sig) // nobody else: die by it now
      // The framework handles it. Its handler goes first, undelayed (Vitest must stop its
      // workers before it notices that the same Ctrl+C killed them); the record is finished in
      // the 'exit' listener when it exits, or here should it still be alive after graceMs.
      received ??= sig
      setTimeout(() => raise(sig), graceMs).unref()
    }
    handlers.set(sig, handler)
    process.prependListener(sig, handler)
  }
  // First too: a framework's own 'exit' listener may call process.exit() again (Vitest 3 does),
  // which ends the process at once, skipping every listener after it.
  process.prependListener('exit', onExit)
  return remove
}

/** Writes to stderr the usual way (queued behind a full pipe), for text while the run goes. */
export function writeStderr(text: string): void {
  process.stderr.write(text)
}

/**
 * Writes to stderr when the process may be about to end (an 'exit' listener, a signal).
 * `process.stderr.write()` to a pipe whose reader is behind queues the text, and a process
 * that ends then drops it: a closing line printed at exit would be lost exactly when the
 * terminal or CI log is busiest. With nothing queued on process.stderr, the text goes to its
 * descriptor directly, waiting for the reader to make room for at most `maxWaitMs`; otherwise
 * (text already queued, which must stay in order) it is queued behind it.
 */
export function writeStderrNow(text: string, maxWaitMs = 2000): void {
  const stream = process.stderr as NodeJS.WriteStream & { fd?: number }
  if (stream.writableLength > 0 || typeof stream.fd !== 'number') {
    stream.write(text)
    return
  }
  const bytes = Buffer.from(text)
  const deadline = Date.now() + maxWaitMs
  const pause = new Int32Array(new SharedArrayBuffer(4))
  let done = 0
  while (done < bytes.length) {
    try {
      done += writeSync(stream.fd, bytes, done)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > deadline) return
      Atomics.wait(pause, 0, 0, 5) // the pipe is full: give its reader a moment
    }
  }
}

/**
 * Prints threepio's closing line after the framework's own summary, which frameworks print once
 * the reporters' end hooks ran: on the next turn of the event loop, or at exit if that comes
 * first (then straight to stderr's descriptor, so that it is not queued and dropped).
 */
export function printAfterFramework(
  line: string,
  stderr: (text: string) => void,
  stderrNow: (text: string) => void,
): void {
  let printed = false
  const print = (atExit: boolean) => {
    if (printed) return
    printed = true
    process.off('exit', onExit)
    ;(atExit ? stderrNow : stderr)(line)
  }
  const onExit = () => print(true)
  process.once('exit', onExit)
  setTimeout(() => print(false), 100).unref()
}
