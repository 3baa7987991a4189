/** `threepio export`: a run as JUnit XML or CTRF. */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { EVENTS_FILE } from '@threepio/core'
import { exportText, readExportedRun, writeExport, type ExportFormat } from '@threepio/log-writer'
import { CommandError, type CliIo } from '../io.js'

export function exportRun(
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
