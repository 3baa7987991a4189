/**
 * How threepio tells its own trouble during a test run, for both recorders (in the runner's
 * thread, and the one whose recording runs in a worker thread).
 */
import type { WriterDiagnostic } from '@threepio/core'

/** A warning for stderr: threepio's prefix, once, then the message, as one line. */
export function warningText(message: string): string {
  return `threepio: warning: ${message}\n`
}

/** The one warning line a run prints on stderr for threepio's own trouble. */
export function warningLine(message: string, summaryMd: string): string {
  return warningText(`${message} (the test run goes on; see diagnostics in ${summaryMd})`)
}

/**
 * Runs a reporter callback's body: whatever it throws becomes `problem`'s diagnostic (a warning
 * and a diagnostic event), never an exception in the framework.
 */
export function guarded(
  problem: (d: WriterDiagnostic) => void,
  what: string,
  fn: () => void,
): void {
  try {
    fn()
  } catch (err) {
    problem({
      level: 'error',
      message: `${what} failed: ${(err as Error)?.stack ?? String(err)}`,
      code: 'EREPORTER',
    })
  }
}
