/** `threepio github`: annotations and the step summary under GitHub Actions. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { resolveOptions, SUMMARY_MD } from '@threepio/core'
import { reportToGitHub, warningText, type RunSummaryJson } from '@threepio/log-writer'
import { readSummary } from '../find-run.js'
import { CommandError, type CliIo } from '../io.js'

export function github(runDir: string, io: CliIo): number {
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
