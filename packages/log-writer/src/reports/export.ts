/**
 * Exports of a run, from its one event stream: JUnit XML (what every CI test tab reads) and
 * CTRF (the cross-framework JSON report). Both hold every test with its status, time, failure,
 * skip reason and the output attributed to it; a run without run-end is marked incomplete.
 */
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describeFsError, EVENTS_FILE, writeFileAtomicSync } from '@threepio/core'
import { ctrfReport } from './ctrf.js'
import { readExportedRun, type ExportedRun } from './exported-run.js'
import { junitXml } from './junit.js'
import type { HistoryView } from '../run-model/insights.js'

export * from './exported-run.js'
export { ctrfReport } from './ctrf.js'
export { junitXml } from './junit.js'

export type ExportFormat = 'junit' | 'ctrf'

/** The export's text. */
export function exportText(run: ExportedRun, format: ExportFormat): string {
  return format === 'junit' ? junitXml(run) : JSON.stringify(ctrfReport(run), null, 2) + '\n'
}

/** Writes an export atomically (creating its directory). Throws on failure. */
export function writeExport(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileAtomicSync(path, text)
}

/**
 * Writes the exports `options` asks for (a path each, '' for none) from the run's events.
 * Returns a problem to report, or undefined; never throws.
 */
export function writeAskedExports(
  runDir: string,
  options: { junit?: string; ctrf?: string },
  /** Where the run stands in the history of runs (flaky and new failures in both formats). */
  history?: HistoryView,
): string | undefined {
  const asked = (['junit', 'ctrf'] as const).filter((f) => options[f])
  if (!asked.length) return undefined
  const problems: string[] = []
  let run: ExportedRun
  try {
    run = readExportedRun(runDir)
    if (history) run.history = history
  } catch (err) {
    return `could not read ${join(runDir, EVENTS_FILE)} for the ${asked.join(' and ')} export: ${describeFsError(err)}`
  }
  for (const format of asked) {
    const path = options[format]!
    try {
      writeExport(path, exportText(run, format))
    } catch (err) {
      problems.push(
        `could not write the ${format} export (${format} option) to ${path}: ${describeFsError(err)}`,
      )
    }
  }
  return problems.length ? problems.join('; ') : undefined
}
