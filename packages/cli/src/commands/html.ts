/** `threepio html [run] [-o file]`: a run's report.html, rebuilt from its events.jsonl. */
import { join } from 'node:path'
import { REPORT_HTML, reportOfRun } from '@threepio/log-writer'
import { writeFileAtomicSync } from '@threepio/core'
import { CommandError, type CliIo } from '../io.js'

export function html(runDir: string, output: string | undefined, io: CliIo): number {
  const target = output ?? join(runDir, REPORT_HTML)
  let page: string
  try {
    page = reportOfRun(runDir)
  } catch (err) {
    throw new CommandError(`could not read ${runDir}: ${(err as Error).message}`)
  }
  try {
    writeFileAtomicSync(target, page)
  } catch (err) {
    throw new CommandError(`could not write ${target}: ${(err as Error).message}`)
  }
  io.out(target + '\n')
  return 0
}
