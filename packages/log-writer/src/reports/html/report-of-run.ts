/** report.html of a run directory, from its events.jsonl (`threepio html`), placed in its history. */
import { join } from 'node:path'
import { EVENTS_FILE, readEventsFile } from '@threepio/core'
import { historyAtEnd } from '../../history/record-run.js'
import { RunState } from '../../run-model/run-state.js'
import { reportData } from './report-data.js'
import { reportHtml } from './report-html.js'
import { runHistory } from './run-history.js'

/** The page for `runDir`; throws when its events.jsonl cannot be read. */
export function reportOfRun(runDir: string): string {
  const state = new RunState()
  readEventsFile(join(runDir, EVENTS_FILE), (event) => void state.apply(event))
  state.finish()
  historyAtEnd(runDir, state, { mode: 'read' })
  return reportHtml(reportData(state, runHistory(runDir, state), runDir))
}
