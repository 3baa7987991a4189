/**
 * The `threepio` command: ls, show, follow, report, clean, ingest.
 *
 * Exit codes: 0 success, 1 the command failed (no such run, unreadable files), 2 bad usage.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, isAbsolute, join, resolve } from 'node:path'
import { parseArgs, styleText } from 'node:util'
import {
  DEFAULT_KEEP_RUNS,
  DEFAULT_OUTPUT_DIR,
  describeFsError,
  didYouMean,
  OPTION_EXPECTED,
  EVENTS_FILE,
  EventLogFollower,
  readLatest,
  resolveOptions,
  RUNS_DIR,
  SUMMARY_JSON,
  SUMMARY_MD,
  skippedLines,
  type Event,
} from '@threepio/core'
import { fileLabel, formatDuration, formatTests, fullName, oneLine } from './log-format.js'
import { fileKey, RunState } from './run-state.js'
import { statusLabel, summaryJson, type RunSummaryJson } from './summary.js'
import { reportToGitHub } from './github.js'
import { mergeRuns, readShard, type Shard } from './merge.js'
import {
  exportText,
  readExportedRun,
  writeAskedExports,
  writeExport,
  type ExportFormat,
} from './export.js'
import { ingestRun } from './ingest.js'
import { warningText } from './notes.js'
import { progName } from './prog-name.js'
import { rebuildRun } from './replay.js'
import {
  isRunLive,
  listRunIds,
  processAlive,
  pruneRuns,
  writerAlive,
  writerPid,
} from './retention.js'

/** Where the command writes: replaceable in tests. */
export interface CliIo {
  out: (text: string) => void
  err: (text: string) => void
  env: Record<string, string | undefined>
  cwd: string
  /** Colour status words on stdout (default: decided by {@link wantsColor} for stdout). */
  color?: boolean
}

const defaultIo = (): CliIo => {
  endQuietlyWhenReaderGoes(process.stdout)
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    color: wantsColor(process.stdout, process.env),
  }
}

/**
 * A reader that goes away (`threepio ls | head -1`) ends the command at once, quietly and with
 * status 0, as `git log | head` ends: nothing is left to say to anyone.
 */
function endQuietlyWhenReaderGoes(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0)
    throw err
  })
}

/**
 * Colour as terminal tools do: FORCE_COLOR (any value but 0/false) turns it on, NO_COLOR
 * turns it off, else a terminal that has colours gets them (Node's own check, which also
 * knows TERM=dumb).
 */
export function wantsColor(
  stream: { isTTY?: boolean; hasColors?: () => boolean },
  env: Record<string, string | undefined>,
): boolean {
  const force = env.FORCE_COLOR
  if (force !== undefined) return force !== '0' && force !== 'false'
  if (env.NO_COLOR) return false
  return stream.isTTY === true && (stream.hasColors?.() ?? false)
}

const STATUS_STYLE: Record<string, Parameters<typeof styleText>[0]> = {
  PASSED: 'green',
  FAILED: 'red',
  ERROR: 'red',
  INTERRUPTED: 'yellow',
  INCOMPLETE: 'yellow',
  RUNNING: 'cyan',
}

/** `text` (which starts with a status word) with the word coloured when `io` wants colour. */
function paintStatus(io: CliIo, text: string): string {
  if (!io.color) return text
  const word = /^[A-Z]+/.exec(text)?.[0] ?? ''
  const style = STATUS_STYLE[word]
  if (!style) return text
  // validateStream: false — whether to colour was decided above, for the stream written to.
  const paint = styleText as (f: typeof style, t: string, o?: { validateStream: boolean }) => string
  return paint(style, word, { validateStream: false }) + text.slice(word.length)
}

/** Our own text with `{prog}` replaced by {@link progName}. */
function withProg(io: CliIo, text: string): string {
  return text.replaceAll('{prog}', progName(io.env))
}

class UsageError extends Error {}
class CommandError extends Error {}

const USAGE = `Usage: {prog} <command> [options]

Commands:
  ls                  list runs, newest first
  show [run]          print a run's test-run.md (--json: its run.json)
  path [run]          print a run's directory (for CI steps: upload it as an artifact)
  export <format> [run]  junit or ctrf, to stdout or -o <file>
  merge <run-dir>...  the runs of a suite's shards as one run (-o <output dir>)
  github [run]        under GitHub Actions: annotate failures, add test-run.md to the step summary
  follow [run]        print a run's progress as it is written, until it ends
  report [run]        rebuild logs, test-run.md and run.json from events.jsonl
  clean [--keep N]    delete old runs, keeping the newest N (default ${DEFAULT_KEEP_RUNS}); never a live run
  ingest <run-dir>    write a run directory from the events.jsonl another process appends to
  help [command]      help for a command

[run] is a run id, a unique prefix of one, "latest" (the default) or a run directory.

Options (anywhere on the line):
  --dir <dir>   output directory (default: $THREEPIO_DIR, else ./${DEFAULT_OUTPUT_DIR})
  --json        machine-readable output (ls, show)
  -h, --help    help for a command
  -v, --version the version of this command

Colour: status words are coloured in a terminal; NO_COLOR turns that off, FORCE_COLOR on.
`

const HELP = {
  ls: `Usage: {prog} ls [--dir <dir>] [--json]\n\nLists runs, newest first: id, status, counts, duration.\n`,
  show: `Usage: {prog} show [run] [--dir <dir>] [--json]\n\nPrints the run's test-run.md, or its run.json with --json.\n`,
  path: `Usage: {prog} path [run] [--dir <dir>]\n\nPrints the run's directory, absolute. <dir>/runs/latest is the same for the newest run\n(a symlink, where the file system has them).\n`,
  export: `Usage: {prog} export <junit|ctrf> [run] [--dir <dir>] [-o <file>]\n\nWrites the run as JUnit XML (one testsuite per test file, as CI test tabs read it) or as a\nCTRF JSON report, from its events.jsonl, to stdout or to <file>. A run that never ended is\nmarked incomplete in both.\n`,
  merge: `Usage: {prog} merge <run-dir>... [-o <output dir>] [--dir <dir>]\n\nMakes the run directories of one suite's shards (jest --shard, vitest --shard, pytest jobs\nover parts of the suite) into one run in <output dir> (default: --dir, else $THREEPIO_DIR,\nelse ./.3pio): events renumbered and tagged with their shard, logs side by side, one\ntest-run.md and run.json counting the whole suite. Prints the merged run's closing line.\n`,
  github: `Usage: {prog} github [run] [--dir <dir>]\n\nUnder GitHub Actions (GITHUB_ACTIONS=true): prints an ::error annotation for each failing\ntest (up to 10) and appends the run's test-run.md to $GITHUB_STEP_SUMMARY. The Jest and Vitest\nreporters and the pytest plugin do this at the end of a run; THREEPIO_GITHUB_ANNOTATIONS=false\nand THREEPIO_GITHUB_SUMMARY=false turn each off.\n`,
  follow: `Usage: {prog} follow [run] [--dir <dir>] [--exit-status]\n\nPrints failing tests and finished files as the run writes them, until run-end or until\nthe writing process is gone. With --exit-status, exits 0 if the run PASSED and 1 otherwise\n(failed, interrupted, or ended without run-end); without it, 0 once the run is followed.\n`,
  report: `Usage: {prog} report [run] [--dir <dir>]\n\nRebuilds the run's logs, test-run.md and run.json from its events.jsonl (after a crash or\nSIGKILL, for instance). Unreadable lines are skipped and counted.\n`,
  clean: `Usage: {prog} clean [--keep <n>] [--dir <dir>]\n\nDeletes the oldest runs so that <n> remain (default ${DEFAULT_KEEP_RUNS}; 0 keeps all, as keepRuns does).\nRuns still being written are kept.\n`,
  ingest: `Usage: {prog} ingest <run-dir> [--pid <pid>] [--keep <n>] [--junit <file>] [--ctrf <file>]\n\nFollows <run-dir>/events.jsonl, written by another process (the pytest plugin), and keeps\nthe run directory up to date until run-end, or until that process (--pid, default the pid in\nrun-start) is gone and the file is read to its end. --keep prunes older runs first (0 keeps all).\n`,
} as const
type Command = keyof typeof HELP
const COMMANDS = Object.keys(HELP) as Command[]

const OPTION_SPECS = {
  dir: { type: 'string', placeholder: '<dir>' },
  json: { type: 'boolean' },
  keep: { type: 'string', placeholder: '<n>' },
  pid: { type: 'string', placeholder: '<pid>' },
  'exit-status': { type: 'boolean' },
  output: { type: 'string', short: 'o', placeholder: '<file>' },
  junit: { type: 'string', placeholder: '<file>' },
  ctrf: { type: 'string', placeholder: '<file>' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const
type OptionName = keyof typeof OPTION_SPECS

/** Which options each command takes (help and version go with any). */
const ALLOWED: Record<Command, OptionName[]> = {
  ls: ['dir', 'json'],
  show: ['dir', 'json'],
  path: ['dir'],
  github: ['dir'],
  export: ['dir', 'output'],
  merge: ['dir', 'output'],
  follow: ['dir', 'exit-status'],
  report: ['dir'],
  clean: ['dir', 'keep'],
  ingest: ['pid', 'keep', 'junit', 'ctrf'],
}

interface CommandLine {
  positionals: string[]
  values: Partial<Record<OptionName, string | true>>
}

/** The command line with options anywhere, checked here so that messages are our own. */
function parseCommandLine(argv: string[]): CommandLine {
  const { tokens } = parseArgs({
    args: argv,
    options: Object.fromEntries(
      Object.entries(OPTION_SPECS).map(([k, v]) => [
        k,
        'short' in v ? { type: v.type, short: v.short } : { type: v.type },
      ]),
    ),
    allowPositionals: true,
    strict: false,
    tokens: true,
  })
  const line: CommandLine = { positionals: [], values: {} }
  const names = Object.keys(OPTION_SPECS)
  for (const token of tokens) {
    if (token.kind === 'positional') line.positionals.push(token.value)
    else if (token.kind === 'option-terminator') continue
    else {
      const spec = OPTION_SPECS[token.name as OptionName] as
        (typeof OPTION_SPECS)[OptionName] | undefined
      if (!spec)
        throw new UsageError(
          `unknown option "${token.rawName}".${didYouMean(token.name, names).replace(/"(\w[\w-]*)"/, '"--$1"')}`,
        )
      if (spec.type === 'string') {
        if (
          token.value === undefined ||
          (token.inlineValue !== true && token.value.startsWith('-'))
        )
          throw new UsageError(
            `${token.rawName} needs a value: ${token.rawName} ${spec.placeholder}`,
          )
        line.values[token.name as OptionName] = token.value
      } else {
        if (token.inlineValue) throw new UsageError(`${token.rawName} takes no value`)
        line.values[token.name as OptionName] = true
      }
    }
  }
  return line
}

/** Runs the command line `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const ours = (text: string) => withProg(io, text)
  let command: Command | undefined
  try {
    const { positionals, values } = parseCommandLine(argv)
    const first = positionals.shift()
    if (values.version) {
      io.out(readVersion() + '\n')
      return 0
    }
    if (first === 'help') {
      const topic = positionals[0]
      if (topic === undefined) io.out(ours(USAGE))
      else if (topic in HELP) io.out(ours(HELP[topic as Command]))
      else
        throw new UsageError(`no help for "${topic}": not a command.${didYouMean(topic, COMMANDS)}`)
      return 0
    }
    if (first === undefined) {
      if (values.help) {
        io.out(ours(USAGE))
        return 0
      }
      throw new UsageError('which command?')
    }
    if (!(first in HELP))
      throw new UsageError(`unknown command "${first}".${didYouMean(first, COMMANDS)}`)
    command = first as Command
    if (values.help) {
      io.out(ours(HELP[command]))
      return 0
    }
    for (const key of Object.keys(values) as OptionName[]) {
      if (!ALLOWED[command].includes(key)) throw new UsageError(`${command} does not take --${key}`)
    }
    const maxPositionals =
      command === 'ls' || command === 'clean'
        ? 0
        : command === 'export'
          ? 2
          : command === 'merge'
            ? Infinity
            : 1
    if (positionals.length > maxPositionals)
      throw new UsageError(`unexpected argument "${positionals[maxPositionals]}"`)
    const dirOption = typeof values.dir === 'string' && values.dir.trim() ? values.dir : undefined
    const dirEnv = io.env.THREEPIO_DIR?.trim() ? io.env.THREEPIO_DIR : undefined
    const outputDir = resolve(io.cwd, dirOption ?? dirEnv ?? DEFAULT_OUTPUT_DIR)
    const keep = typeof values.keep === 'string' ? values.keep : undefined
    switch (command) {
      case 'ls':
        return ls(outputDir, values.json === true, io)
      case 'show':
        return show(findRun(outputDir, positionals[0], io.cwd), values.json === true, io)
      case 'path':
        io.out(findRun(outputDir, positionals[0], io.cwd) + '\n')
        return 0
      case 'export': {
        const format = positionals[0]
        if (format !== 'junit' && format !== 'ctrf')
          throw new UsageError(
            format === undefined
              ? 'export needs a format: junit or ctrf'
              : `unknown export format "${format}": junit or ctrf`,
          )
        const runDir = findRun(outputDir, positionals[1], io.cwd)
        const output =
          typeof values.output === 'string' ? resolve(io.cwd, values.output) : undefined
        return exportRun(runDir, format, output, io)
      }
      case 'merge': {
        if (!positionals.length)
          throw new UsageError(
            'merge needs the run directories of the shards: {prog} merge <run-dir>...',
          )
        const target =
          typeof values.output === 'string' ? resolve(io.cwd, values.output) : outputDir
        return merge(
          positionals.map((p) => findRun(outputDir, p, io.cwd)),
          target,
          io,
        )
      }
      case 'github':
        return github(findRun(outputDir, positionals[0], io.cwd), io)
      case 'follow':
        return await follow(
          findRun(outputDir, positionals[0], io.cwd),
          values['exit-status'] === true,
          io,
        )
      case 'report':
        return report(findRun(outputDir, positionals[0], io.cwd), io)
      case 'clean':
        return clean(outputDir, keep, io)
      case 'ingest': {
        if (!positionals[0])
          throw new UsageError('ingest needs the run directory: {prog} ingest <run-dir>')
        const pid = typeof values.pid === 'string' ? values.pid : undefined
        const exports = {
          junit: typeof values.junit === 'string' ? resolve(io.cwd, values.junit) : '',
          ctrf: typeof values.ctrf === 'string' ? resolve(io.cwd, values.ctrf) : '',
        }
        return await ingest(resolve(io.cwd, positionals[0]), pid, keep, exports, io)
      }
    }
  } catch (err) {
    if (err instanceof UsageError) {
      command ??= argv.find((a): a is Command => (COMMANDS as string[]).includes(a))
      io.err(ours(`threepio: ${err.message}\n\n${command ? HELP[command] : USAGE}`))
      return 2
    }
    if (err instanceof CommandError) {
      io.err(ours(`threepio: ${err.message}\n`))
      return 1
    }
    io.err(`threepio: ${(err as Error).stack ?? String(err)}\n`)
    return 1
  }
}

/** Set at build time where the command is bundled into one file (the pytest wheel's log writer). */
declare const __THREEPIO_VERSION__: string | undefined

function readVersion(): string {
  if (typeof __THREEPIO_VERSION__ === 'string') return __THREEPIO_VERSION__
  try {
    return (
      JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
        version: string
      }
    ).version
  } catch {
    return 'unknown'
  }
}

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

interface RunListing {
  runId: string
  status: string
  runner: string | null
  counts: Record<string, number> | null
  headline: string | null
  durationMs: number | null
  startedAt: string | null
  path: string
}

function readSummary(runDir: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(join(runDir, SUMMARY_JSON), 'utf8')) as Record<string, unknown>
  } catch {
    return undefined
  }
}

function ls(outputDir: string, json: boolean, io: CliIo): number {
  const runs: RunListing[] = listRunIds(outputDir)
    .reverse()
    .map((runId) => {
      const path = join(outputDir, RUNS_DIR, runId)
      const s = readSummary(path)
      let status = (s?.status as string | undefined) ?? 'UNKNOWN'
      if (status === 'RUNNING' && !isRunLive(path)) status = 'INCOMPLETE'
      const runner = s?.runner as { name: string; version: string } | null | undefined
      return {
        runId,
        status,
        runner: runner ? `${runner.name} ${runner.version}` : null,
        counts: (s?.counts as Record<string, number> | undefined) ?? null,
        headline: (s?.headline as string | undefined) ?? null,
        durationMs: (s?.durationMs as number | undefined) ?? null,
        startedAt: (s?.startedAt as string | undefined) ?? null,
        path,
      }
    })
  if (json) {
    io.out(JSON.stringify(runs, null, 2) + '\n')
    return 0
  }
  if (!runs.length) {
    io.out(`no runs in ${outputDir}\n`)
    return 0
  }
  for (const r of runs) {
    const counts = r.headline ?? (r.counts ? formatTests(r.counts as never) : '')
    const took = r.durationMs !== null ? formatDuration(r.durationMs) : ''
    io.out(
      [r.runId, paintStatus(io, r.status.padEnd(11)), r.runner ?? '', counts, took]
        .filter(Boolean)
        .join('  ') + '\n',
    )
  }
  return 0
}

function show(runDir: string, json: boolean, io: CliIo): number {
  const file = join(runDir, json ? SUMMARY_JSON : SUMMARY_MD)
  try {
    const text = readFileSync(file, 'utf8')
    if (readSummary(runDir)?.status === 'RUNNING' && !isRunLive(runDir))
      io.err(
        withProg(
          io,
          `threepio: this run is INCOMPLETE: its writer (pid ${writerPid(runDir) ?? 'unknown'}) is gone and the run never ended; the summary below is as it last wrote it. Finalise it with: {prog} report ${runDir}\n`,
        ),
      )
    io.out(text)
    return 0
  } catch {
    throw new CommandError(`${file} does not exist; rebuild it with: {prog} report ${runDir}`)
  }
}

function exportRun(
  runDir: string,
  format: ExportFormat,
  output: string | undefined,
  io: CliIo,
): number {
  if (!existsSync(join(runDir, EVENTS_FILE)))
    throw new CommandError(`${join(runDir, EVENTS_FILE)} does not exist`)
  const text = exportText(readExportedRun(runDir), format)
  if (output === undefined) io.out(text)
  else {
    writeExport(output, text)
    io.err(`threepio: wrote ${output}\n`)
  }
  return 0
}

function merge(runDirs: string[], outputDir: string, io: CliIo): number {
  let shards: Shard[]
  try {
    shards = runDirs.map(readShard)
  } catch (err) {
    throw new CommandError((err as Error).message)
  }
  for (const s of shards)
    if (s.skipped)
      io.err(warningText(`${s.runDir}: ${s.skipped} unreadable line(s) of events.jsonl skipped`))
  let merged: ReturnType<typeof mergeRuns>
  try {
    merged = mergeRuns(shards, outputDir, ['threepio', 'merge', ...runDirs])
  } catch (err) {
    throw new CommandError(`could not merge: ${describeFsError(err)}`)
  }
  const json = summaryJson(merged.state)
  io.out(
    `${paintStatus(io, statusLabel(json.status, json.watch))} · ${json.headline} · ${shards.length} shards · ${join(merged.runDir, SUMMARY_MD)}\n`,
  )
  return 0
}

function github(runDir: string, io: CliIo): number {
  const summary = readSummary(runDir) as RunSummaryJson | undefined
  let markdown: string | undefined
  try {
    markdown = readFileSync(join(runDir, SUMMARY_MD), 'utf8')
  } catch {
    markdown = undefined
  }
  if (!summary || markdown === undefined)
    throw new CommandError(`${runDir} has no summary yet; write it with: {prog} report ${runDir}`)
  const { options, warnings } = resolveOptions(undefined, {
    rootDir: summary.rootDir ?? io.cwd,
    env: io.env,
  })
  for (const w of warnings) io.err(warningText(w))
  reportToGitHub({
    summary,
    markdown,
    env: io.env,
    annotations: options.githubAnnotations,
    stepSummary: options.githubSummary,
    write: io.out,
  })
  return 0
}

function report(runDir: string, io: CliIo): number {
  if (!existsSync(join(runDir, EVENTS_FILE)))
    throw new CommandError(`${join(runDir, EVENTS_FILE)} does not exist`)
  const { state, stats } = rebuildRun(runDir, (d) => io.err(warningText(d.message)))
  const skipped = skippedLines(stats)
  if (skipped) {
    const reasons = Object.entries(stats)
      .filter(([k, v]) => k !== 'events' && v > 0)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')
    io.err(
      `threepio: skipped ${skipped} unreadable line(s) of events.jsonl (${reasons}); the rest was used\n`,
    )
  }
  const json = summaryJson(state)
  io.out(
    `${paintStatus(io, statusLabel(json.status, json.watch))} · ${json.headline} · ${join(runDir, SUMMARY_MD)}\n`,
  )
  return 0
}

/** --keep, read as keepRuns is: a whole number, 0 keeps all. */
function parseKeep(value: string): number {
  if (!/^\d+$/.test(value.trim()))
    throw new UsageError(`--keep must be ${OPTION_EXPECTED.count}; received "${value}"`)
  return Number(value)
}

function clean(outputDir: string, keepArg: string | undefined, io: CliIo): number {
  const keep = keepArg === undefined ? DEFAULT_KEEP_RUNS : parseKeep(keepArg)
  const deleted = pruneRuns(outputDir, keep)
  io.out(
    `deleted ${deleted.length} run(s), kept ${listRunIds(outputDir).length} in ${outputDir}${keep === 0 ? ' (--keep 0 keeps all)' : ''}\n`,
  )
  return 0
}

function describe(event: Event, state: RunState, io: CliIo): string | undefined {
  switch (event.type) {
    case 'run-start':
      return `threepio: following ${event.runner.name} ${event.runner.version} run ${event.runId}`
    case 'test-end':
      if (event.status !== 'failed' && event.status !== 'error') return undefined
      return `✗ ${event.file} › ${oneLine(fullName(event.test))}${event.error ? `\n    ${oneLine(event.error.message.split('\n')[0] ?? '')}` : ''}`
    case 'file-end': {
      const f = state.files.get(fileKey(event.file, event.project, event.mode))
      if (!f) return undefined
      const what = f.failedToLoad ? 'failed to load' : formatTests(f.counts, f.teardownErrors)
      return `■ ${paintStatus(io, f.status.toUpperCase())} ${fileLabel(f)} · ${what}`
    }
    case 'run-end': {
      const json = summaryJson(state)
      return `threepio: ${paintStatus(io, statusLabel(json.status, json.watch))} · ${json.headline} · ${formatDuration(event.durationMs)}`
    }
    case 'diagnostic':
      return `threepio ${event.level}: ${event.message}`
    default:
      return undefined
  }
}

async function follow(runDir: string, exitStatus: boolean, io: CliIo): Promise<number> {
  const follower = new EventLogFollower(join(runDir, EVENTS_FILE))
  const state = new RunState()
  let pid: number | undefined
  let startTime: number | undefined
  const check = setInterval(() => {
    if (pid === undefined ? !isRunLive(runDir) : !writerAlive(pid, startTime)) follower.finish()
  }, 250)
  let ended = false
  try {
    for await (const event of follower) {
      if (event.type === 'run-start') {
        pid = event.pid
        startTime = event.time
      }
      state.apply(event)
      const line = describe(event, state, io)
      if (line) io.out(line + '\n')
      if (event.type === 'run-end') {
        ended = true
        follower.finish()
      }
    }
  } finally {
    clearInterval(check)
  }
  if (!ended)
    io.out(
      `threepio: the writer is gone and events.jsonl ends without run-end (${paintStatus(io, 'INCOMPLETE')})\n`,
    )
  if (!exitStatus) return 0
  return ended && summaryJson(state).status === 'PASSED' ? 0 : 1
}

async function ingest(
  runDir: string,
  pidArg: string | undefined,
  keepArg: string | undefined,
  exports: { junit: string; ctrf: string },
  io: CliIo,
): Promise<number> {
  let pid: number | undefined
  if (pidArg !== undefined) {
    pid = Number(pidArg)
    if (!Number.isInteger(pid) || pid <= 0)
      throw new UsageError(`--pid needs a process id; received "${pidArg}"`)
  }
  if (!existsSync(runDir) && pid !== undefined && processAlive(pid)) {
    // The writer's run directory was deleted before this process looked: the writer recreates
    // its events.jsonl when it notices, and this process the rest.
    mkdirSync(runDir, { recursive: true })
  }
  try {
    if (!statSync(runDir).isDirectory()) throw new Error()
  } catch {
    throw new CommandError(`${runDir} is not a run directory`)
  }
  if (keepArg !== undefined) {
    const keep = parseKeep(keepArg)
    // Retention for the writer of this run: <outputDir>/runs/<id> is the run directory.
    pruneRuns(dirname(dirname(runDir)), keep, [basename(runDir)])
  }
  let warned = false
  let stop: (() => void) | undefined
  let received: NodeJS.Signals | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    received = signal
    stop?.()
  }
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']
  for (const s of signals) process.on(s, onSignal)
  // stderr may be a pipe to a process that is gone (pytest killed): the run directory matters more.
  process.stderr.on('error', () => {})
  try {
    await ingestRun(runDir, {
      ...(pid !== undefined ? { pid } : {}),
      onStart: (s) => (stop = s),
      onDiagnostic: (d) => {
        if (!warned) io.err(warningText(d.message))
        warned = true
      },
    })
  } finally {
    for (const s of signals) process.off(s, onSignal)
  }
  const problem = writeAskedExports(runDir, exports)
  if (problem && !warned) io.err(warningText(problem))
  // Everything is written: now let the signal do what it would have done.
  if (received) process.kill(process.pid, received)
  return 0
}
