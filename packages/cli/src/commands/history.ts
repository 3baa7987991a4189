/** `threepio diff`, `threepio history` and `threepio flaky`: questions across runs. */
import { basename } from 'node:path'
import {
  diffRuns,
  fileLabel,
  flakyTests,
  formatDuration,
  History,
  oneLine,
  testHistory,
  type RunDiff,
  type RunRecord,
  type TestId,
} from '@threepio/log-writer'
import { CommandError, paintStatus, type CliIo } from '../io.js'

/** A test as a terminal shows it: no escapes or control characters from its name. */
const named = (t: TestId) => `${fileLabel(t)} › ${oneLine(t.test)}`

function openHistory(outputDir: string): History {
  const h = new History(outputDir)
  if (!h.entries.length)
    throw new CommandError(
      `no history of runs in ${h.dir}; it starts with the next run recorded by a threepio reporter (or pass --dir)`,
    )
  return h
}

/** A run argument among the runs of the history: an id, a unique prefix, `latest` or a run directory. */
function recordFor(h: History, arg: string): RunRecord {
  const id = arg.includes('/') ? basename(arg.replace(/\/+$/, '')) : arg
  const ids = h.entries.map((e) => e.runId)
  const matches = id === 'latest' ? ids.slice(0, 1) : ids.filter((r) => r.startsWith(id))
  if (matches.length > 1)
    throw new CommandError(
      `"${arg}" matches ${matches.length} runs in the history; give more of the id`,
    )
  const record = matches.length ? h.record(matches[0]!) : undefined
  if (!record)
    throw new CommandError(
      `no run "${arg}" in the history (${h.dir}); {prog} ls lists the kept runs`,
    )
  return record
}

export function diff(outputDir: string, args: string[], json: boolean, io: CliIo): number {
  const h = openHistory(outputDir)
  let from: RunRecord
  let to: RunRecord
  if (args.length === 2) [from, to] = [recordFor(h, args[0]!), recordFor(h, args[1]!)]
  else {
    to = recordFor(h, 'latest')
    if (args.length === 1) from = recordFor(h, args[0]!)
    else {
      const before = h.entries[1]
      if (!before) throw new CommandError('the history holds one run: nothing to compare it with')
      from = recordFor(h, before.runId)
    }
  }
  const d = diffRuns(h, from, to)
  if (json) {
    io.out(JSON.stringify(d, null, 2) + '\n')
    return 0
  }
  printDiff(d, io)
  return 0
}

const SHOWN = 20

function printDiff(d: RunDiff, io: CliIo): void {
  io.out(
    `${d.from.runId} ${paintStatus(io, d.from.status)} → ${d.to.runId} ${paintStatus(io, d.to.status)}\n`,
  )
  const section = (title: string, tests: TestId[], mark: string) => {
    if (!tests.length) return
    io.out(`\n${title} (${tests.length}):\n`)
    for (const t of tests.slice(0, SHOWN)) io.out(`  ${mark} ${named(t)}\n`)
    if (tests.length > SHOWN) io.out(`  … and ${tests.length - SHOWN} more (--json lists them)\n`)
  }
  section('Newly failing', d.newlyFailing, '✗')
  section('Fixed', d.fixed, '✓')
  section('Newly skipped', d.newlySkipped, '○')
  section('Added', d.added, '+')
  section('Removed', d.removed, '-')
  if (d.durationChanges.length) {
    io.out(`\nDuration changes (${d.durationChanges.length}):\n`)
    for (const t of d.durationChanges.slice(0, SHOWN))
      io.out(`  ${named(t)}  ${formatDuration(t.fromMs)} → ${formatDuration(t.toMs)}\n`)
  }
  const { from, to } = d.filesOnlyIn
  if (from || to)
    io.out(
      `\nFiles only one run ran (their tests are not counted as added or removed): ${from} only in the first, ${to} only in the second\n`,
    )
  const changes =
    d.newlyFailing.length +
    d.fixed.length +
    d.newlySkipped.length +
    d.added.length +
    d.removed.length
  if (!changes && !d.durationChanges.length) io.out('\nNo test changed its outcome.\n')
}

export function history(outputDir: string, query: string, json: boolean, io: CliIo): number {
  const h = openHistory(outputDir)
  const found = testHistory(h, query)
  if (json) {
    io.out(JSON.stringify(found, null, 2) + '\n')
    return 0
  }
  if (!found.length) {
    io.out(`no test in the history matches "${query}"\n`)
    return 0
  }
  for (const t of found) {
    io.out(`${named(t.id)}\n`)
    for (const o of t.outcomes) {
      const code = o.commit ? `${o.commit.slice(0, 10)}${o.dirty ? '+changes' : ''}` : 'no git'
      const took = o.durationMs !== undefined ? formatDuration(o.durationMs) : '<50 ms'
      const tries = o.attempts ? ` · ${o.attempts} attempts` : ''
      io.out(`  ${o.runId}  ${paintStatus(io, o.status.padEnd(8))}  ${took}${tries}  ${code}\n`)
    }
  }
  return 0
}

export function flaky(outputDir: string, json: boolean, io: CliIo): number {
  const h = openHistory(outputDir)
  const found = flakyTests(h)
  if (json) {
    io.out(JSON.stringify(found, null, 2) + '\n')
    return 0
  }
  if (!found.length) {
    io.out(
      `no flaky tests in ${h.entries.length} run(s): none both passed and failed on the same code\n`,
    )
    return 0
  }
  for (const t of found)
    io.out(
      `${named(t.id)}  failed ${t.failed}, passed ${t.passed} on the same code · last failed ${t.lastFailed}\n`,
    )
  return 0
}
