/** `threepio report`: a run directory rebuilt from its events.jsonl. */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { EVENTS_FILE, skippedLines, SUMMARY_MD } from '@threepio/core'
import { rebuildRun, statusLabel, summaryJson, warningText } from '@threepio/log-writer'
import { CommandError, paintStatus, type CliIo } from '../io.js'

export function report(runDir: string, io: CliIo): number {
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
