/**
 * Run ids, run directories and the `latest` pointer (docs/design.md, "The run directory").
 *
 * ```
 * <outputDir>/.gitignore              `*`: the output directory stays out of version control
 * <outputDir>/latest                  newest run id, replaced atomically
 * <outputDir>/runs/latest             symlink to the newest run directory (where symlinks work)
 * <outputDir>/runs/<run-id>/events.jsonl, test-run.md, run.json, logs/
 * ```
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { logPathFor } from './path-map.js'
import { joinSession } from './session.js'

/** Names inside the output directory and a run directory: one place for each. */
export const RUNS_DIR = 'runs'
export const LATEST_FILE = 'latest'
export const EVENTS_FILE = 'events.jsonl'
export const SUMMARY_MD = 'test-run.md'
export const SUMMARY_JSON = 'run.json'
export const LOGS_DIR = 'logs'
/** In the output directory: the history of runs, which outlives their run directories. */
export const HISTORY_DIR = 'history'
/** In runs/: a symlink to the newest run directory, a fixed path for CI steps. */
export const LATEST_LINK = 'latest'
/** The output directory's own .gitignore, written once (as .pytest_cache has one). */
export const GITIGNORE_FILE = '.gitignore'
export const GITIGNORE_TEXT = '# Created by threepio: test runs are not for version control.\n*\n'
/**
 * A run directory's "still being written" marker: the pid of a process at work on it (the
 * pytest plugin's log writer, then the pytest process until it has printed its closing line).
 * Retention spares a run while that process lives.
 */
export const WORKER_MARKER = '.ingest.pid'
/** Default output directory, relative to the project root. */
export const DEFAULT_OUTPUT_DIR = '.3pio'

/** Matches a run id: `2026-11-22_03-10-00_1a2b3c4d`. */
export const RUN_ID_PATTERN = /^\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}_[0-9a-f]{8}$/

const pad = (n: number) => String(n).padStart(2, '0')

/** Random hex digits that end a run id. */
export const RUN_ID_RANDOM_HEX_DIGITS = 8

/** A run id: the UTC start time to the second plus 8 random hex digits (sortable by start). */
export function createRunId(
  date: Date = new Date(),
  random: string = randomBytes(RUN_ID_RANDOM_HEX_DIGITS / 2).toString('hex'),
): string {
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}_` +
    `${pad(date.getUTCHours())}-${pad(date.getUTCMinutes())}-${pad(date.getUTCSeconds())}_${random}`
  )
}

/** Paths of one run directory. */
export interface RunPaths {
  runId: string
  runDir: string
  events: string
  summaryMd: string
  summaryJson: string
  logsDir: string
}

/** The paths of run `runId` under `outputDir`. */
export function runPaths(outputDir: string, runId: string): RunPaths {
  const runDir = join(outputDir, RUNS_DIR, runId)
  return {
    runId,
    runDir,
    events: join(runDir, EVENTS_FILE),
    summaryMd: join(runDir, SUMMARY_MD),
    summaryJson: join(runDir, SUMMARY_JSON),
    logsDir: join(runDir, LOGS_DIR),
  }
}

/** Absolute path of a test file's log in a run directory. */
export function logFilePath(runDir: string, file: string, project?: string): string {
  return join(runDir, LOGS_DIR, ...logPathFor(file, project).split('/'))
}

/**
 * Creates a new, empty run directory under `outputDir` and returns its paths. Two runs started in
 * the same second (or millisecond) get different ids: the directory is created exclusively and a
 * taken id is replaced by a new random one. Under `threepio run` the run joins its session.
 * Throws when the directory cannot be created.
 */
export function createRunDirectory(outputDir: string, date: Date = new Date()): RunPaths {
  makeDirectory(join(outputDir, RUNS_DIR))
  writeGitignore(outputDir)
  for (let attempt = 0; ; attempt++) {
    const paths = runPaths(outputDir, createRunId(date))
    try {
      mkdirSync(paths.runDir) // not recursive: fails with EEXIST when the id is taken
      mkdirSync(paths.logsDir)
      joinSession(paths.runDir)
      return paths
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 20) throw err
    }
  }
}

/**
 * `mkdir -p`, throwing the error that says why: a recursive mkdirSync reports ENOENT for the
 * deepest folder when a parent cannot be made (a read-only file system, no permission), so the
 * missing parents are made one by one, and the first that fails gives its own error (EROFS).
 */
function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    const missing: string[] = []
    for (let d = dir; !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.unshift(d)
    for (const d of missing) mkdirSync(d)
    throw err
  }
}

/** Writes `<outputDir>/.gitignore` unless there is one (the user's own is kept). Never throws. */
export function writeGitignore(outputDir: string): void {
  try {
    writeFileSync(join(outputDir, GITIGNORE_FILE), GITIGNORE_TEXT, { flag: 'wx' })
  } catch {
    // there already, or not writable: neither stops a run
  }
}

/** The run id `<outputDir>/latest` points at, if any. */
export function readLatest(outputDir: string): string | undefined {
  try {
    const id = readFileSync(join(outputDir, LATEST_FILE), 'utf8').trim()
    return RUN_ID_PATTERN.test(id) ? id : undefined
  } catch {
    return undefined
  }
}
