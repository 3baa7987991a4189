/** Which run a `[run]` argument names. */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import {
  EVENTS_FILE,
  readLatest,
  RUNS_DIR,
  SESSIONS_DIR,
  SUMMARY_JSON,
  SUMMARY_MD,
} from '@threepio/core'
import { listRunIds, listSessionIds } from '@threepio/log-writer'
import { CommandError } from './io.js'

/** Resolves a run argument to a run directory, or throws a CommandError saying what exists. */
export function findRun(outputDir: string, arg: string | undefined, cwd: string): string {
  if (arg && arg !== 'latest') {
    const asPath = isAbsolute(arg) ? arg : resolve(cwd, arg)
    const looksLikePath = arg.includes('/') || arg.startsWith('.') || isDirectory(asPath)
    if (looksLikePath && existsSync(join(asPath, EVENTS_FILE))) return asPath
    if (looksLikePath && isDirectory(asPath)) {
      const hint = isDirectory(join(asPath, RUNS_DIR))
        ? ` It looks like an output directory: pass it as --dir ${arg}.`
        : ''
      throw new CommandError(
        `${asPath} is not a run directory. A run directory is <output dir>/${RUNS_DIR}/<run-id>/ and holds ${EVENTS_FILE} (with logs/, ${SUMMARY_MD} and ${SUMMARY_JSON}); {prog} ls lists them.${hint}`,
      )
    }
    const ids = listRunIds(outputDir)
    const matches = ids.filter((id) => id.startsWith(arg))
    if (matches.length === 1) return join(outputDir, RUNS_DIR, matches[0]!)
    if (matches.length > 1)
      throw new CommandError(
        `"${arg}" matches ${matches.length} runs (${matches.slice(-3).join(', ')}, …); give more of the id`,
      )
    throw new CommandError(
      looksLikePath
        ? `${asPath} does not exist`
        : `no run "${arg}" in ${outputDir}${ids.length ? `; the newest is ${ids[ids.length - 1]} ({prog} ls lists them)` : ' (no runs there yet)'}`,
    )
  }
  const latest = readLatest(outputDir) ?? listRunIds(outputDir).at(-1)
  if (!latest)
    throw new CommandError(
      `no runs in ${outputDir}; run your tests with a threepio reporter first, or pass --dir`,
    )
  return join(outputDir, RUNS_DIR, latest)
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** The run's run.json, or undefined where there is none (yet) or it cannot be read. */
export function readSummary(runDir: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(join(runDir, SUMMARY_JSON), 'utf8')) as Record<string, unknown>
  } catch {
    return undefined
  }
}

/**
 * The session folder a `[run]` argument names, if it names one: `session` (the newest), or a
 * unique prefix of a session id that is no run's.
 */
export function findSession(outputDir: string, arg: string | undefined): string | undefined {
  if (!arg || arg.includes('/') || arg.startsWith('.')) return undefined
  const ids = listSessionIds(outputDir)
  const dir = (id: string | undefined) => (id ? join(outputDir, SESSIONS_DIR, id) : undefined)
  if (arg === 'session') {
    if (!ids.length)
      throw new CommandError(`no sessions in ${outputDir}; {prog} run -- <command> makes one`)
    return dir(ids.at(-1))
  }
  if (listRunIds(outputDir).some((id) => id.startsWith(arg))) return undefined
  const matches = ids.filter((id) => id.startsWith(arg))
  return matches.length === 1 ? dir(matches[0]) : undefined
}
