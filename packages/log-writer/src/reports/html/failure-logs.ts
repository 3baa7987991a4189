/**
 * For report.html: each kept failure's part of its log (the test's output and its error, runner
 * frames folded as the log folds them), so that a failure reads whole on the page. A log keeps
 * each test's lines together, from its start line to the next test's or the file's end line.
 */
import { closeSync, openSync, readSync } from 'node:fs'
import { join } from 'node:path'
import { testStartLine } from '../../run-model/log-format.js'
import type { RunSummaryJson } from '../../run-model/run-json.js'

/** The most of one log read, and of one failure's part shown. */
const MAX_LOG_READ = 4 * 1024 * 1024
const MAX_PART = 20_000

/** A failure's part of its log, by the failure's index in run.json's `failures`. */
export function failureLogs(runDir: string, failures: RunSummaryJson['failures']): string[] {
  const logs = new Map<string, string>()
  return failures.map((f) => {
    if (f.test === undefined) return ''
    if (!logs.has(f.log)) logs.set(f.log, head(join(runDir, f.log)))
    const log = logs.get(f.log)!
    const start = log.indexOf(testStartLine(f.test))
    if (start < 0) return ''
    const from = start + testStartLine(f.test).length
    const next = log.slice(from).search(/^[▶■] /m)
    const part = next < 0 ? log.slice(from) : log.slice(from, from + next)
    return part.length > MAX_PART ? `${part.slice(0, MAX_PART)}\n… more in the log` : part.trimEnd()
  })
}

function head(path: string): string {
  let fd: number | undefined
  try {
    fd = openSync(path, 'r')
    const buf = Buffer.alloc(MAX_LOG_READ)
    const n = readSync(fd, buf, 0, MAX_LOG_READ, 0)
    return buf.subarray(0, n).toString('utf8')
  } catch {
    return ''
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
