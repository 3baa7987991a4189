/** The command line: the commands, their help, the options each takes, and the parser. */
import { parseArgs } from 'node:util'
import { DEFAULT_KEEP_RUNS, DEFAULT_OUTPUT_DIR, didYouMean } from '@threepio/core'
import { UsageError } from './io.js'

export const USAGE = `Usage: {prog} <command> [options]

Commands:
  run -- <command>    run a command, recording every Jest, Vitest and pytest run it starts
  ls                  list runs and sessions, newest first
  show [run]          print a run's test-run.md (--json: its run.json)
  path [run]          print a run's directory (for CI steps: upload it as an artifact)
  export <format> [run]  junit or ctrf, to stdout or -o <file>
  merge <run-dir>...  the runs of a suite's shards as one run (-o <output dir>)
  github [run]        under GitHub Actions: annotate failures, add test-run.md to the step summary
  follow [run]        print a run's progress as it is written, until it ends
  diff [run] [run]    what changed between two runs (default: the last two)
  history <test>      a test's (or a file's) outcomes across runs, newest first
  flaky               tests that both passed and failed on the same code
  html [run]          write the run's report.html again (-o <file>: elsewhere); prints its path
  serve [run]         the run's page on http://127.0.0.1, following the run as it is written
  report [run]        rebuild logs, test-run.md and run.json from events.jsonl
  clean [--keep N]    delete old runs, keeping the newest N (default ${DEFAULT_KEEP_RUNS}); never a live run
  ingest <run-dir>    write a run directory from the events.jsonl another process appends to
  help [command]      help for a command

[run] is a run id, a unique prefix of one, "latest" (the default) or a run directory; show
also takes a session id.

Options (anywhere on the line):
  --dir <dir>   output directory (default: $THREEPIO_DIR, else ./${DEFAULT_OUTPUT_DIR})
  --json        machine-readable output (ls, show, diff, history, flaky)
  -h, --help    help for a command
  -v, --version the version of this command

Colour: status words are coloured in a terminal; NO_COLOR turns that off, FORCE_COLOR on.
`

export const HELP = {
  run: `Usage: {prog} run [--dir <dir>] -- <command...>\n\nRuns the command as it is (npm test, pnpm -r test, make test, tox, python -m pytest, …) and\nrecords every Jest, Vitest and pytest run it starts, however deep, with no configuration: each\nrun gets its own run directory, as with the reporter configured. All of them belong to one\nsession (<dir>/sessions/<id>/: summary.md, session.json, and the command's output in output.log).\nThe command's output, exit status and Ctrl+C are its own; one closing line is added at the end.\n`,
  ls: `Usage: {prog} ls [--dir <dir>] [--json]\n\nLists runs, newest first: id, status, counts, duration; then the sessions of {prog} run.\nWith --json, the runs, each with the session it belongs to (or null).\n`,
  show: `Usage: {prog} show [run or session] [--dir <dir>] [--json]\n\nPrints the run's test-run.md, or its run.json with --json; for a session (an id from\n{prog} ls, or "session" for the newest), its summary.md or session.json.\n`,
  path: `Usage: {prog} path [run] [--dir <dir>]\n\nPrints the run's directory, absolute. <dir>/runs/latest is the same for the newest run\n(a symlink, where the file system has them).\n`,
  export: `Usage: {prog} export <junit|ctrf> [run] [--dir <dir>] [-o <file>]\n\nWrites the run as JUnit XML (one testsuite per test file, as CI test tabs read it) or as a\nCTRF JSON report, from its events.jsonl, to stdout or to <file>. A run that never ended is\nmarked incomplete in both.\n`,
  merge: `Usage: {prog} merge <run-dir>... [-o <output dir>] [--dir <dir>]\n\nMakes the run directories of one suite's shards (jest --shard, vitest --shard, pytest jobs\nover parts of the suite) into one run in <output dir> (default: --dir, else $THREEPIO_DIR,\nelse ./.3pio): events renumbered and tagged with their shard, logs side by side, one\ntest-run.md and run.json counting the whole suite. Prints the merged run's closing line.\n`,
  github: `Usage: {prog} github [run] [--dir <dir>]\n\nUnder GitHub Actions (GITHUB_ACTIONS=true): prints an ::error annotation for each failing\ntest (up to 10) and appends the run's test-run.md to $GITHUB_STEP_SUMMARY. The Jest and Vitest\nreporters and the pytest plugin do this at the end of a run; THREEPIO_GITHUB_ANNOTATIONS=false\nand THREEPIO_GITHUB_SUMMARY=false turn each off.\n`,
  follow: `Usage: {prog} follow [run] [--dir <dir>] [--exit-status]\n\nPrints failing tests and finished files as the run writes them, until run-end or until\nthe writing process is gone. With --exit-status, exits 0 if the run PASSED and 1 otherwise\n(failed, interrupted, or ended without run-end); without it, 0 once the run is followed.\n`,
  diff: `Usage: {prog} diff [run] [run] [--dir <dir>] [--json]\n\nCompares two runs of the history, test by test within the files both ran: newly failing,\nfixed, newly skipped, added and removed tests, and large duration changes. With no run, the\nlast two; with one, that run and the newest. Runs stay in the history after retention\nremoves their directories.\n`,
  history: `Usage: {prog} history <test or file> [--dir <dir>] [--json]\n\nThe outcomes across runs, newest first, of the tests whose "file › name" contains the text\n(or of every test of a file), with each run's duration and commit.\n`,
  flaky: `Usage: {prog} flaky [--dir <dir>] [--json]\n\nTests that both passed and failed on the same code (same commit, same uncommitted changes)\nin the history of runs, with how often each.\n`,
  html: `Usage: {prog} html [run] [--dir <dir>] [-o <file>]\n\nWrites the run's report.html from its events.jsonl, placed in the history as at its end:\none page with nothing fetched from anywhere (failures by cause, every test, filters), into\nthe run directory or <file>. Prints the page's path. Runs write it themselves when they end.\n`,
  serve: `Usage: {prog} serve [run] [--dir <dir>] [--port <n>]\n\nServes the run's page from 127.0.0.1 only (port <n>, default any free one, printed on\nstdout), following the run while it is written. Read-only: the page and the run's logs, nothing\nelse, and nothing for another origin. Ctrl+C ends it.\n`,
  report: `Usage: {prog} report [run] [--dir <dir>]\n\nRebuilds the run's logs, test-run.md and run.json from its events.jsonl (after a crash or\nSIGKILL, for instance). Unreadable lines are skipped and counted.\n`,
  clean: `Usage: {prog} clean [--keep <n>] [--dir <dir>]\n\nDeletes the oldest runs so that <n> remain (default ${DEFAULT_KEEP_RUNS}; 0 keeps all, as keepRuns does).\nRuns still being written are kept.\n`,
  ingest: `Usage: {prog} ingest <run-dir> [--pid <pid>] [--keep <n>] [--junit <file>] [--ctrf <file>]\n\nFollows <run-dir>/events.jsonl, written by another process (the pytest plugin), and keeps\nthe run directory up to date until run-end, or until that process (--pid, default the pid in\nrun-start) is gone and the file is read to its end. --keep prunes older runs first (0 keeps all).\n`,
} as const
export type Command = keyof typeof HELP
export const COMMANDS = Object.keys(HELP) as Command[]

const OPTION_SPECS = {
  dir: { type: 'string', placeholder: '<dir>' },
  json: { type: 'boolean' },
  keep: { type: 'string', placeholder: '<n>' },
  pid: { type: 'string', placeholder: '<pid>' },
  port: { type: 'string', placeholder: '<n>' },
  'exit-status': { type: 'boolean' },
  output: { type: 'string', short: 'o', placeholder: '<file>' },
  junit: { type: 'string', placeholder: '<file>' },
  ctrf: { type: 'string', placeholder: '<file>' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const
export type OptionName = keyof typeof OPTION_SPECS

/** Which options each command takes (help and version go with any). */
export const ALLOWED: Record<Command, OptionName[]> = {
  run: ['dir'],
  ls: ['dir', 'json'],
  show: ['dir', 'json'],
  path: ['dir'],
  github: ['dir'],
  export: ['dir', 'output'],
  merge: ['dir', 'output'],
  follow: ['dir', 'exit-status'],
  diff: ['dir', 'json'],
  history: ['dir', 'json'],
  flaky: ['dir', 'json'],
  report: ['dir'],
  html: ['dir', 'output'],
  serve: ['dir', 'port'],
  clean: ['dir', 'keep'],
  ingest: ['pid', 'keep', 'junit', 'ctrf'],
}

export interface CommandLine {
  positionals: string[]
  values: Partial<Record<OptionName, string | true>>
}

/** The command line with options anywhere, checked here so that messages are our own. */
export function parseCommandLine(argv: string[]): CommandLine {
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

/** How many arguments each command takes besides its options. */
export const MAX_POSITIONALS: Record<Command, number> = {
  run: Infinity,
  ls: 0,
  clean: 0,
  show: 1,
  path: 1,
  github: 1,
  follow: 1,
  report: 1,
  html: 1,
  serve: 1,
  diff: 2,
  history: 1,
  flaky: 0,
  ingest: 1,
  export: 2,
  merge: Infinity,
}

/**
 * `run`'s line (`argv[0]` is `run`): its own options come first; the command starts after `--` or at the first word
 * that is not one of them, and is passed on untouched (its options are its own).
 */
export function parseRunLine(argv: string[]): CommandLine {
  const line: CommandLine = { positionals: ['run'], values: {} }
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') return { ...line, positionals: ['run', ...argv.slice(i + 1)] }
    if (a === '-h' || a === '--help') line.values.help = true
    else if (a === '--dir' || a.startsWith('--dir=')) {
      const value = a === '--dir' ? argv[++i] : a.slice('--dir='.length)
      if (value === undefined) throw new UsageError('--dir needs a value: --dir <dir>')
      line.values.dir = value
    } else if (a.startsWith('-'))
      throw new UsageError(
        `unknown option "${a}" for run; the command goes after --: {prog} run -- <command>`,
      )
    else return { ...line, positionals: ['run', ...argv.slice(i)] }
  }
  return line
}
