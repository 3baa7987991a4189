/**
 * Every test's last outcome in the run, file by file, as its file closes: what the history of
 * runs keeps. A test is named as its log names it (`name (#2)` for a second of one name).
 */
import type { FileMode, TestStatus } from '@threepio/core'
import { keyOf, type FileSummary } from './summaries.js'
import type { TestRecord } from './tally.js'

export interface FileOutcomes {
  file: string
  project?: string
  mode?: FileMode
  /** The file's own status (a file that failed to load has no tests). */
  status: FileSummary['status']
  names: string[]
  statuses: TestStatus[]
  durations: Array<number | undefined>
  attempts: number[]
  signatures: Array<string | undefined>
}

export class RunOutcomes {
  private readonly byFile = new Map<string, FileOutcomes>()

  /** A file closed: its tests that ended. A file run again replaces its earlier round. */
  addFile(summary: FileSummary, tests: Iterable<TestRecord>): void {
    const out: FileOutcomes = {
      file: summary.file,
      ...(summary.project ? { project: summary.project } : {}),
      ...(summary.mode ? { mode: summary.mode } : {}),
      status: summary.status,
      names: [],
      statuses: [],
      durations: [],
      attempts: [],
      signatures: [],
    }
    for (const t of tests) {
      if (!t.status) continue // started, never ended
      out.names.push(t.name)
      out.statuses.push(t.status)
      out.durations.push(t.durationMs)
      out.attempts.push(t.attempts ?? 1)
      out.signatures.push(t.signature)
    }
    this.byFile.set(keyOf(summary), out)
  }

  /** The files in the order they closed. */
  files(): FileOutcomes[] {
    return [...this.byFile.values()]
  }
}
