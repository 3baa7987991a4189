/**
 * The three runners the fault suite drives, each as a command on a fixture, with threepio and
 * without it ("bare"), plus what is needed to read and check what a run left on disk.
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, watch } from 'node:fs'
import { join } from 'node:path'
import {
  decodeEvents,
  readLatest,
  runPaths,
  skippedLines,
  type DecodeStats,
  type Event,
} from '@threepio/core'
import { rebuildRun } from '@threepio/log-writer'
import {
  CLI,
  FIXTURES,
  invalidEvents,
  listFiles,
  ROOT,
  spawnToEnd,
  tempDir,
  type SpawnOptions,
} from '../src/helpers.js'

const E2E_MODULES = join(import.meta.dirname, '../node_modules')

export interface Runner {
  /** As shown in the table, e.g. "Vitest 4". */
  name: string
  /** `fixtures/<dir>/<fixture>` */
  dir: 'vitest' | 'jest' | 'pytest'
  command(bare: boolean): { command: string; args: string[]; env: Record<string, string> }
  /** Whether another process (pytest's log writer) finishes the run directory after the run. */
  sidecar: boolean
}

let python = ''
/** The pytest 9 virtualenv with threepio installed; call once before using the pytest runner. */
export async function preparePython(): Promise<void> {
  const { ensureVenv } = (await import(join(ROOT, 'packages/pytest-bridge/venv.mjs'))) as {
    ensureVenv: (major: number) => string
  }
  python = join(ensureVenv(9), 'python')
}

export const RUNNERS: Runner[] = [
  {
    name: 'Vitest 4',
    dir: 'vitest',
    sidecar: false,
    command: (bare) => ({
      command: process.execPath,
      args: [join(E2E_MODULES, 'vitest4/vitest.mjs'), 'run'],
      env: {
        VITEST_JSON: join(tempDir(), 'vitest.json'),
        ...(bare ? { WITHOUT_THREEPIO: '1' } : {}),
      },
    }),
  },
  {
    name: 'Jest 30',
    dir: 'jest',
    sidecar: false,
    command: (bare) => ({
      command: process.execPath,
      args: [join(E2E_MODULES, 'jest30/bin/jest.js'), '--ci'],
      env: { [bare ? 'WITHOUT_THREEPIO' : 'THREEPIO_LIVE']: '1' },
    }),
  },
  {
    name: 'pytest 9',
    dir: 'pytest',
    sidecar: true,
    command: (bare) => ({
      command: python,
      args: ['-m', 'pytest', '-q', ...(bare ? [] : ['-p', 'threepio'])],
      env: {},
    }),
  },
]

export interface FaultRunOptions {
  bare?: boolean
  env?: Record<string, string>
  /** Run under `ulimit -n <n>`. */
  ulimitN?: number
  /** Stop the run at the n-th kill point (fixtures/checkpoint.cjs) and call `at` there. */
  point?: number
  at?: (ctx: PointContext) => void | Promise<void>
  timeoutMs?: number
}

export interface PointContext {
  proc: import('node:child_process').ChildProcess
  /** Lets the stopped test go on. */
  release(): void
  /** The run directory threepio is writing (undefined for a bare run, or none yet). */
  runDir(): string | undefined
}

export interface FaultRun {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  hung: boolean
  outputDir: string
  /** Whether the kill point was reached (and `at` called). */
  reached: boolean
  /** Threepio warnings printed to stderr. */
  warnings: string[]
  /** Wall time from spawn to exit. */
  ms: number
}

/** Runs `runner` on fixtures/<dir>/<fixture> once, to its end. */
export async function faultRun(
  runner: Runner,
  fixture: string,
  options: FaultRunOptions = {},
): Promise<FaultRun> {
  const scratch = tempDir('threepio-fault-')
  const outputDir = join(scratch, '.3pio')
  const progress = join(scratch, 'progress')
  const { command, args, env } = runner.command(options.bare ?? false)
  const [cmd, argv] = options.ulimitN
    ? ['/bin/sh', ['-c', `ulimit -n ${options.ulimitN} && exec "$@"`, 'sh', command, ...args]]
    : [command, args]
  let reached = false
  const onStart: SpawnOptions['onStart'] = (proc) => {
    if (options.point === undefined) return
    const point = options.point
    const watcher = watch(scratch, () => check())
    const check = () => {
      if (reached || !existsSync(progress)) return
      if (readFileSync(progress, 'utf8').split('\n').length - 1 < point) return
      reached = true
      watcher.close()
      void options.at?.({
        proc,
        release: () => void mkdirSync(progress + '.release'),
        runDir: () => {
          const id = readLatest(outputDir)
          return id ? runPaths(outputDir, id).runDir : undefined
        },
      })
    }
    proc.on('exit', () => watcher.close())
    check()
  }
  const started = performance.now()
  const result = await spawnToEnd(cmd, argv, {
    cwd: join(FIXTURES, runner.dir, fixture),
    env: {
      THREEPIO_DIR: outputDir,
      FAULT_PROGRESS: progress,
      ...(options.point !== undefined ? { FAULT_POINT: String(options.point) } : {}),
      ...env,
      ...options.env,
    },
    onStart,
    timeoutMs: options.timeoutMs ?? 120_000,
  })
  const warnings = result.stderr.split('\n').filter((l) => l.startsWith('threepio: warning'))
  const ms = performance.now() - started
  return { ...result, outputDir, reached, warnings, ms }
}

export interface Recorded {
  runDir: string
  events: Event[]
  stats: DecodeStats
  summary: { status: string; counts: Record<string, number> } | undefined
}

/**
 * Reads the run a threepio run left: waits for pytest's log writer to finish it, and completes
 * it with `threepio report` when `report` is set (after SIGKILL nothing else will).
 */
export async function recorded(
  runner: Runner,
  run: FaultRun,
  options: { report?: boolean; runId?: string } = {},
): Promise<Recorded | undefined> {
  const id = options.runId ?? readLatest(run.outputDir)
  if (!id) return undefined
  const paths = runPaths(run.outputDir, id)
  // Every log writer of this output directory first: one starting late prunes finished runs.
  if (runner.sidecar) await sidecarsDone(run.outputDir)
  if (!existsSync(paths.runDir)) return undefined
  if (options.report)
    execFileSync(process.execPath, [CLI, 'report', paths.runDir], { stdio: 'ignore' })
  const { events, stats } = decodeEvents(readFileSync(paths.events))
  const summary = existsSync(paths.summaryJson)
    ? JSON.parse(readFileSync(paths.summaryJson, 'utf8'))
    : undefined
  return { runDir: paths.runDir, events, stats, summary }
}

/** Resolves once no `threepio ingest` process works under `dir` any more. */
async function sidecarsDone(dir: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const busy = execFileSync('ps', ['-eww', '-o', 'args'], { encoding: 'utf8' })
      .split('\n')
      .some((l) => l.includes(' ingest ') && l.includes(dir))
    if (!busy) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`the log writers under ${dir} did not finish within 30 s`)
}

/**
 * What must hold for any run threepio recorded, whatever happened to it: every line of
 * events.jsonl is a valid event in sequence, and the logs and summaries are exactly what the
 * events say (the run directory rebuilt from events.jsonl alone is identical). Returns problems.
 */
export function consistencyProblems(rec: Recorded): string[] {
  const problems: string[] = []
  if (skippedLines(rec.stats)) problems.push(`${skippedLines(rec.stats)} unreadable event lines`)
  const invalid = invalidEvents(rec.events)
  if (invalid.length) problems.push(`${invalid.length} events do not match the schema`)
  if (rec.events[0]?.type !== 'run-start')
    problems.push('events.jsonl does not start with run-start')
  if (rec.events.some((e, i) => e.seq !== i + 1)) problems.push('seq is not 1, 2, 3, …')
  // Beside the run, in its output directory: a rebuilt run is placed in the history of runs
  // there, as the live run was (a folder name that is no run id, so no command lists it).
  const copy = `${rec.runDir}.replay`
  mkdirSync(copy)
  copyFileSync(join(rec.runDir, 'events.jsonl'), join(copy, 'events.jsonl'))
  rebuildRun(copy)
  const live = readTree(rec.runDir)
  const replayed = readTree(copy)
  for (const path of new Set([...live.keys(), ...replayed.keys()])) {
    if (live.get(path) !== replayed.get(path))
      problems.push(`${path} differs from the run directory rebuilt from events.jsonl`)
  }
  rmSync(copy, { recursive: true, force: true })
  return problems
}

/**
 * Logs and summaries of a run directory (not events.jsonl, Jest's per-worker side files,
 * dotfiles); report.html by its data, since its code is the build's that wrote it (the pytest
 * plugin's bundled log writer compiles it anew).
 */
function readTree(dir: string): Map<string, string> {
  const ours = (rel: string) =>
    rel !== 'events.jsonl' && !rel.startsWith('workers/') && !/(^|\/)\./.test(rel)
  const read = (rel: string) => {
    const text = readFileSync(join(dir, rel), 'utf8')
    if (rel !== 'report.html') return text
    return (
      /<script type="application\/json" id="threepio-data">([^<]*)<\/script>/.exec(text)?.[1] ?? ''
    )
  }
  return new Map(
    listFiles(dir)
      .filter(ours)
      .map((rel) => [rel, read(rel)]),
  )
}
