/**
 * Sessions (docs/design.md, "Sessions"): `threepio run -- <command>` names one session directory
 * in the environment of everything the command starts, and every run created under it adds its
 * run directory to the session's list of runs.
 *
 * ```
 * <outputDir>/sessions/<session-id>/session.json   the command, its exit, its runs (at the end)
 * <outputDir>/sessions/<session-id>/output.log     the command's terminal output
 * <outputDir>/sessions/<session-id>/summary.md     one line per run, linking its test-run.md
 * <outputDir>/sessions/<session-id>/runs           one run directory per line, as runs start
 * ```
 */
import { appendFileSync } from 'node:fs'
import { join } from 'node:path'

export const SESSIONS_DIR = 'sessions'
export const SESSION_JSON = 'session.json'
export const SESSION_LOG = 'output.log'
export const SESSION_MD = 'summary.md'
export const SESSION_RUNS = 'runs'
/** In the session folder: the pytest plugin as `threepio run` lends it (on PYTHONPATH). */
export const SESSION_PYTHON_DIR = 'python'

/** The environment variables a session sets for the processes of its command. */
export const SESSION_ENV = {
  /** The session directory, absolute: runs created under it join the session. */
  dir: 'THREEPIO_SESSION',
  /** The `threepio` command the pytest plugin starts its log writer with, where it has none. */
  logWriter: 'THREEPIO_LOG_WRITER',
} as const

/**
 * Adds `runDir` to the session named in `env`, if any: one line appended (small appends are
 * atomic, so concurrent runs need no lock). Never throws: a run is never stopped by its session.
 */
export function joinSession(
  runDir: string,
  env: Record<string, string | undefined> = process.env,
): void {
  const session = env[SESSION_ENV.dir]
  if (!session) return
  try {
    appendFileSync(join(session, SESSION_RUNS), runDir + '\n')
  } catch {
    // the session's folder is gone: the run is recorded all the same
  }
}
