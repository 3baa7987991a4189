/**
 * Spawns processes and reads what lands on disk: a run's events, summary and logs, checked for
 * well-formedness and against its exports (runners.ts runs Vitest and Jest with these).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  watch,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import {
  decodeEvents,
  readLatest,
  runPaths,
  skippedLines,
  type DecodeStats,
  type Event,
} from '@threepio/core'
import { Ajv } from 'ajv'
import { validate as validateCtrf } from 'ctrf'
import { junitRecord } from './conformance.js'
import { afterAll, expect } from 'vitest'

export const ROOT = join(import.meta.dirname, '../..')
export const FIXTURES = join(ROOT, 'fixtures')
/** The `threepio` command of the packed @threepio/cli (installed by global-setup.ts). */
export const CLI = join(FIXTURES, 'node_modules/@threepio/cli/bin/threepio.js')
export const E2E_MODULES = join(import.meta.dirname, '../node_modules')

/** Node 24 from the npm registry (Vitest 5 needs Node >= 22.12). */
/** Node 24 for Vitest 5: the binary package of this platform, from the registry. */
export const NODE24 = join(
  import.meta.dirname,
  `../runtimes/node_modules/node24-${process.platform}-${process.arch}/bin/node`,
)

const temps: string[] = []
afterAll(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true })
})
export function tempDir(prefix = 'threepio-e2e-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix))
  temps.push(d)
  return d
}

const schema = JSON.parse(readFileSync(join(ROOT, 'packages/core/schema.json'), 'utf8'))
const validateEvent = new Ajv({ strict: false }).compile(schema)

/** What every recorded run must satisfy, whatever the runner. */
export function expectWellFormed(r: RunResult): void {
  expect(invalidEvents(r.events)).toEqual([])
  expect(skippedLines(r.stats)).toBe(0) // every line of events.jsonl was readable
  expect(r.events[0]?.type).toBe('run-start')
  expect(r.events.map((e) => e.seq)).toEqual(r.events.map((_, i) => i + 1))
  // On failure, the end of stderr says why (a warning in place of the closing line, or nothing).
  expect(r.stderr, `the closing line; stderr ends:\n${r.stderr.slice(-3000)}`).toMatch(
    /threepio: (PASSED|FAILED|INTERRUPTED|ERROR) · /,
  )
  // threepio adds nothing to the framework's output but its closing line: no deprecation
  // warnings from the Jest setup file (Jest 30 warns when torn-down globals are read).
  expect(r.stderr).not.toContain('DeprecationWarning')
  if (r.exports && r.summary.status !== 'RUNNING') expectExportsAgree(r, r.exports)
}

/**
 * The run's JUnit export holds what run.json holds, file by file and status by status (todo
 * and xfailed are <skipped>, xpassed passed, a file that failed outside its tests one <error>);
 * its CTRF export validates with the `ctrf` reference package and counts the same tests.
 */
export function expectExportsAgree(r: RunResult, exports: { junit: string; ctrf: string }): void {
  expect(existsSync(exports.junit), `the junit export ${exports.junit}`).toBe(true)
  expect(existsSync(exports.ctrf), `the ctrf export ${exports.ctrf}`).toBe(true)
  const fromJunit = junitRecord(readFileSync(exports.junit, 'utf8'))
  const list = r.summary.fileList as Array<{
    file: string
    counts: Record<string, number>
    teardownErrors?: number
    failedToLoad?: boolean
    skipReason?: string
    status: string
  }>
  const expected = new Map<string, Record<string, number>>()
  for (const f of list) {
    const prev = expected.get(f.file)
    const c = f.counts
    const outside = f.status === 'error' || (f.status === 'failed' && !c.failed && !c.error) ? 1 : 0
    const wholeSkip = !outside && f.skipReason !== undefined && !c.total ? 1 : 0
    const counts = {
      passed: (prev?.passed ?? 0) + (c.passed ?? 0) + (c.xpassed ?? 0),
      failed: (prev?.failed ?? 0) + (c.failed ?? 0),
      skipped:
        (prev?.skipped ?? 0) + (c.skipped ?? 0) + (c.todo ?? 0) + (c.xfailed ?? 0) + wholeSkip,
      todo: 0,
      error: (prev?.error ?? 0) + (c.error ?? 0) + (f.teardownErrors ?? 0) + outside,
    }
    expected.set(f.file, counts)
  }
  const got = Object.fromEntries([...fromJunit].map(([file, e]) => [file, e.counts]))
  expect(got, 'junit export vs run.json, per file and status').toEqual(Object.fromEntries(expected))
  const report = JSON.parse(readFileSync(exports.ctrf, 'utf8'))
  expect(validateCtrf(report).errors, 'ctrf export validates').toEqual([])
  const total = (r.summary.counts as Record<string, number>).total ?? 0
  const outsideTotal = list.filter(
    (f) =>
      f.failedToLoad ||
      (f.status !== 'passed' &&
        f.status !== 'skipped' &&
        f.status !== 'unfinished' &&
        !f.counts.failed &&
        !f.counts.error),
  ).length
  expect(report.results.summary.tests, 'ctrf tests').toBe(total + outsideTotal)
}

/** Every event line validates against @threepio/core/schema.json; returns the invalid ones. */
export function invalidEvents(events: Event[]): unknown[] {
  return events.filter((e) => !validateEvent(e))
}

export interface RunResult {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  outputDir: string
  runDir: string
  events: Event[]
  stats: DecodeStats
  summary: Record<string, unknown> & { status: string; counts: Record<string, number> }
  markdown: string
  /** A test file's log. */
  log(file: string): string
  /** Every log file, relative to logs/. */
  logs(): string[]
  /** Where the run's JUnit and CTRF exports were asked for. */
  exports?: { junit: string; ctrf: string }
}

export interface SpawnOptions {
  cwd: string
  env?: Record<string, string>
  /** Called once the process is running, with a function to wait for text on stdout/stderr. */
  onStart?: (proc: ChildProcess, waitFor: (text: string) => Promise<void>) => void
  /** Kill the process group after this long (a hang) instead of waiting for ever. */
  timeoutMs?: number
}

/** Spawns a command, lets `onStart` act on it, and resolves when it has exited. */
export async function spawnToEnd(
  command: string,
  args: string[],
  options: SpawnOptions,
): Promise<{
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** The process outlived `timeoutMs` and was killed. */
  hung: boolean
}> {
  const proc = spawn(command, args, {
    cwd: options.cwd,
    // Not a GitHub Actions job unless a test says so (annotations would change the output).
    env: {
      ...process.env,
      CI: 'true',
      FORCE_COLOR: '0',
      NO_COLOR: '1',
      GITHUB_ACTIONS: '',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, like a job in a terminal: signals go to the whole group, and
    // whatever a framework leaves behind is reaped below.
    detached: true,
  })
  let stdout = ''
  let stderr = ''
  const waiters: Array<{ text: string; resolve: () => void }> = []
  const check = () => {
    for (const w of [...waiters]) {
      if (!(stdout + stderr).includes(w.text)) continue
      waiters.splice(waiters.indexOf(w), 1)
      w.resolve()
    }
  }
  proc.stdout!.on('data', (d) => {
    stdout += d
    check()
  })
  proc.stderr!.on('data', (d) => {
    stderr += d
    check()
  })
  options.onStart?.(
    proc,
    (text) =>
      new Promise((resolve) => {
        waiters.push({ text, resolve })
        check()
      }),
  )
  const closed = new Promise<void>((resolve) => proc.on('close', () => resolve()))
  const timer = options.timeoutMs
    ? setTimeout(() => {
        hung = true
        killGroup(proc, 'SIGKILL')
      }, options.timeoutMs)
    : undefined
  let hung = false
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    proc.on('exit', (code, sig) => resolve([code, sig])),
  )
  clearTimeout(timer)
  // Workers orphaned by an interrupted run would hold the output pipes open.
  killGroup(proc, 'SIGKILL')
  await closed
  return { exitCode, signal, stdout, stderr, hung }
}

/** Sends a signal to the process group of a spawned run, as Ctrl+C in a terminal does. */
export function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (proc.pid) process.kill(-proc.pid, signal)
  } catch {
    // the group is gone already
  }
}

/**
 * Interrupts a run the way it happens for real: SIGINT to the whole group (Ctrl+C in a
 * terminal), SIGTERM to the runner's main process (a CI timeout, `timeout`, a supervisor).
 */
export function interrupt(proc: ChildProcess, signal: 'SIGINT' | 'SIGTERM'): void {
  if (signal === 'SIGINT') killGroup(proc, signal)
  else proc.kill(signal)
}

/** Runs a command to its end and reads the newest run directory. */
export async function run(
  command: string,
  args: string[],
  options: SpawnOptions,
): Promise<RunResult> {
  const outputDir = options.env?.THREEPIO_DIR ?? join(tempDir(), '.3pio')
  // Every run also writes its JUnit and CTRF exports (checked by expectWellFormed).
  const exportsDir = tempDir()
  const junit = join(exportsDir, 'threepio-junit.xml')
  const ctrf = join(exportsDir, 'threepio-ctrf.json')
  const { exitCode, signal, stdout, stderr } = await spawnToEnd(command, args, {
    ...options,
    env: { THREEPIO_DIR: outputDir, THREEPIO_JUNIT: junit, THREEPIO_CTRF: ctrf, ...options.env },
  })
  return {
    ...readRecordedRun(outputDir, { exitCode, signal, stdout, stderr }),
    exports: { junit, ctrf },
  }
}

/** The newest run recorded in `outputDir`, with how the process that wrote it ended. */
export function readRecordedRun(
  outputDir: string,
  process: Pick<RunResult, 'exitCode' | 'signal' | 'stdout' | 'stderr'>,
): RunResult {
  const runId = readLatest(outputDir)
  if (!runId)
    throw new Error(
      `no run recorded in ${outputDir}\nstdout:\n${process.stdout}\nstderr:\n${process.stderr}`,
    )
  const paths = runPaths(outputDir, runId)
  const { events, stats } = decodeEvents(readFileSync(paths.events))
  const readJson = () =>
    existsSync(paths.summaryJson) ? JSON.parse(readFileSync(paths.summaryJson, 'utf8')) : {}
  return {
    ...process,
    outputDir,
    runDir: paths.runDir,
    events,
    stats,
    summary: readJson(),
    markdown: existsSync(paths.summaryMd) ? readFileSync(paths.summaryMd, 'utf8') : '',
    log: (file) => readFileSync(join(paths.logsDir, file + '.log'), 'utf8'),
    logs: () => listFiles(paths.logsDir),
  }
}

/** Every file under `dir`, recursively, relative to it, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n)
      if (statSync(p).isDirectory()) walk(p)
      else out.push(relative(dir, p))
    }
  }
  if (existsSync(dir)) walk(dir)
  return out.sort()
}

/**
 * Resolves with run.json once `done` holds for it: for run directories another process (the
 * pytest plugin's log writer) finishes after the test process is gone. Woken by file changes.
 */
export async function settledSummary(
  runDir: string,
  done: (summary: { status: string }) => boolean,
  timeoutMs = 60_000,
): Promise<{ status: string } & Record<string, unknown>> {
  const path = join(runDir, 'run.json')
  const read = () => {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as { status: string } & Record<string, unknown>
    } catch {
      return undefined
    }
  }
  return new Promise((resolve, reject) => {
    const check = () => {
      const s = read()
      if (s && done(s)) {
        watcher.close()
        clearTimeout(timer)
        resolve(s)
      }
    }
    const watcher = watch(runDir, check)
    const timer = setTimeout(() => {
      watcher.close()
      reject(new Error(`run.json in ${runDir} did not settle: ${JSON.stringify(read()?.status)}`))
    }, timeoutMs)
    check()
  })
}

/**
 * Whether a Vitest process crashed because a worker was already dead when the main process
 * handled Ctrl+C (a Vitest race after the signal reaches the whole process group): Vitest 3
 * "Channel closed", Vitest 4 an EPIPE, or its pool reporting that the worker exited.
 */
export function crashedOnDeadWorker(stderr: string): boolean {
  return /ERR_IPC_CHANNEL_CLOSED|Error: write EPIPE[\s\S]*ForksPoolWorker|\[vitest-pool\]: Worker forks emitted error[\s\S]*Worker exited unexpectedly/.test(
    stderr,
  )
}

/**
 * The words of the rerun command test-run.md gives for `runner`, after `npx <runner> [run]`:
 * single-quoted POSIX words, as threepio writes them.
 */
export function rerunArgs(markdown: string, prefix: string): string[] {
  const line = markdown.split('\n').find((l) => l.includes(`Rerun: \`${prefix} `))
  if (!line) throw new Error(`no "Rerun: ${prefix} …" line in test-run.md:\n${markdown}`)
  const command = line.slice(line.indexOf('`') + 1, line.lastIndexOf('`')).slice(prefix.length + 1)
  const words: string[] = []
  let word: string | undefined
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!
    if (c === "'") {
      const end = command.indexOf("'", i + 1)
      word = (word ?? '') + command.slice(i + 1, end)
      i = end
    } else if (c === '\\') {
      word = (word ?? '') + command[++i]
    } else if (c === ' ') {
      if (word !== undefined) words.push(word)
      word = undefined
    } else word = (word ?? '') + c
  }
  if (word !== undefined) words.push(word)
  return words
}
