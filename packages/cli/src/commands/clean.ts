/** `threepio clean`: old runs deleted, live ones kept. */
import { DEFAULT_KEEP_RUNS, OPTION_EXPECTED } from '@threepio/core'
import { listRunIds, pruneRuns } from '@threepio/log-writer'
import { UsageError, type CliIo } from '../io.js'

/** --keep, read as keepRuns is: a whole number, 0 keeps all. */
export function parseKeep(value: string): number {
  if (!/^\d+$/.test(value.trim()))
    throw new UsageError(`--keep must be ${OPTION_EXPECTED.count}; received "${value}"`)
  return Number(value)
}

export function clean(outputDir: string, keepArg: string | undefined, io: CliIo): number {
  const keep = keepArg === undefined ? DEFAULT_KEEP_RUNS : parseKeep(keepArg)
  const deleted = pruneRuns(outputDir, keep)
  io.out(
    `deleted ${deleted.length} run(s), kept ${listRunIds(outputDir).length} in ${outputDir}${keep === 0 ? ' (--keep 0 keeps all)' : ''}\n`,
  )
  return 0
}
