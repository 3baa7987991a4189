/**
 * The `threepio` command: reads the command line and hands it to one module of commands/.
 *
 * Exit codes: 0 success, 1 the command failed (no such run, unreadable files), 2 bad usage.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { DEFAULT_OUTPUT_DIR, didYouMean } from '@threepio/core'
import {
  ALLOWED,
  COMMANDS,
  HELP,
  MAX_POSITIONALS,
  parseCommandLine,
  parseRunLine,
  USAGE,
  type Command,
  type CommandLine,
  type OptionName,
} from './command-line.js'
import { findRun, findSession } from './find-run.js'
import { CommandError, defaultIo, UsageError, withProg, type CliIo } from './io.js'
import { clean } from './commands/clean.js'
import { exportRun } from './commands/export.js'
import { follow } from './commands/follow.js'
import { github } from './commands/github.js'
import { diff, flaky, history } from './commands/history.js'
import { ingest } from './commands/ingest.js'
import { ls } from './commands/ls.js'
import { merge } from './commands/merge.js'
import { report } from './commands/report.js'
import { html } from './commands/html.js'
import { serve } from './commands/serve.js'
import { show, showSession } from './commands/show.js'
import { runCommand } from './run/run-command.js'

/** Runs the command line `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const ours = (text: string) => withProg(io, text)
  let command: Command | undefined
  try {
    const line = argv[0] === 'run' ? parseRunLine(argv) : parseCommandLine(argv)
    const first = line.positionals.shift()
    const answered = answerHelp(first, line, io)
    if (answered !== undefined) return answered
    if (first === undefined) throw new UsageError('which command?')
    if (!(first in HELP))
      throw new UsageError(`unknown command "${first}".${didYouMean(first, COMMANDS)}`)
    command = first as Command
    if (line.values.help) {
      io.out(ours(HELP[command]))
      return 0
    }
    checkCommandLine(command, line)
    return await run(command, line, io)
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

/** `--version`, `help [command]` and a bare `--help`: the exit code, or undefined for none. */
function answerHelp(first: string | undefined, line: CommandLine, io: CliIo): number | undefined {
  if (line.values.version) {
    io.out(readVersion() + '\n')
    return 0
  }
  if (first === 'help') {
    const topic = line.positionals[0]
    if (topic === undefined) io.out(withProg(io, USAGE))
    else if (topic in HELP) io.out(withProg(io, HELP[topic as Command]))
    else
      throw new UsageError(`no help for "${topic}": not a command.${didYouMean(topic, COMMANDS)}`)
    return 0
  }
  if (first === undefined && line.values.help) {
    io.out(withProg(io, USAGE))
    return 0
  }
  return undefined
}

function checkCommandLine(command: Command, { positionals, values }: CommandLine): void {
  for (const key of Object.keys(values) as OptionName[]) {
    if (!ALLOWED[command].includes(key)) throw new UsageError(`${command} does not take --${key}`)
  }
  const max = MAX_POSITIONALS[command]
  if (positionals.length > max) throw new UsageError(`unexpected argument "${positionals[max]}"`)
}

async function run(command: Command, { positionals, values }: CommandLine, io: CliIo) {
  const dirOption = typeof values.dir === 'string' && values.dir.trim() ? values.dir : undefined
  const dirEnv = io.env.THREEPIO_DIR?.trim() ? io.env.THREEPIO_DIR : undefined
  const outputDir = resolve(io.cwd, dirOption ?? dirEnv ?? DEFAULT_OUTPUT_DIR)
  const keep = typeof values.keep === 'string' ? values.keep : undefined
  const file = (value: string | true | undefined) =>
    typeof value === 'string' ? resolve(io.cwd, value) : undefined
  const runArg = (i: number) => findRun(outputDir, positionals[i], io.cwd)
  switch (command) {
    case 'run':
      if (!positionals.length) throw new UsageError('run needs a command: {prog} run -- npm test')
      return await runCommand(positionals, outputDir, io)
    case 'ls':
      return ls(outputDir, values.json === true, io)
    case 'show': {
      const session = findSession(outputDir, positionals[0])
      if (session) return showSession(session, values.json === true, io)
      return show(runArg(0), values.json === true, io)
    }
    case 'path':
      io.out(runArg(0) + '\n')
      return 0
    case 'export': {
      const format = positionals[0]
      if (format !== 'junit' && format !== 'ctrf')
        throw new UsageError(
          format === undefined
            ? 'export needs a format: junit or ctrf'
            : `unknown export format "${format}": junit or ctrf`,
        )
      return exportRun(runArg(1), format, file(values.output), io)
    }
    case 'merge':
      if (!positionals.length)
        throw new UsageError(
          'merge needs the run directories of the shards: {prog} merge <run-dir>...',
        )
      return merge(
        positionals.map((_, i) => runArg(i)),
        file(values.output) ?? outputDir,
        io,
      )
    case 'github':
      return github(runArg(0), io)
    case 'follow':
      return await follow(runArg(0), values['exit-status'] === true, io)
    case 'report':
      return report(runArg(0), io)
    case 'html':
      return html(runArg(0), file(values.output), io)
    case 'serve':
      return await serve(runArg(0), typeof values.port === 'string' ? values.port : undefined, io)
    case 'diff':
      return diff(outputDir, positionals, values.json === true, io)
    case 'history':
      if (!positionals[0])
        throw new UsageError('history needs a test or file: {prog} history <test or file>')
      return history(outputDir, positionals[0], values.json === true, io)
    case 'flaky':
      return flaky(outputDir, values.json === true, io)
    case 'clean':
      return clean(outputDir, keep, io)
    case 'ingest': {
      if (!positionals[0])
        throw new UsageError('ingest needs the run directory: {prog} ingest <run-dir>')
      const pid = typeof values.pid === 'string' ? values.pid : undefined
      const exports = { junit: file(values.junit) ?? '', ctrf: file(values.ctrf) ?? '' }
      return await ingest(resolve(io.cwd, positionals[0]), pid, keep, exports, io)
    }
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
