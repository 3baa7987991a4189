/**
 * Failures grouped by cause: every failure of the run (not only the ones kept in detail) counts
 * towards its signature's group, with the files it came from and one example kept whole.
 */
import type { FailureSummary } from './summaries.js'

/** Most causes listed in run.json (the rest are counted). */
export const MAX_CAUSES = 50
/** Most files and test names kept per cause (the rest are counted). */
export const MAX_CAUSE_NAMES = 20

export interface Cause {
  signature: string
  count: number
  /** The failures' files, in the order they failed, each with how many failed there. */
  files: Map<string, number>
  /** The first failure of this cause, in full. */
  example: FailureSummary
  /** Names of its failing tests (files for a file-level failure), bounded. */
  names: string[]
}

export class Causes {
  private readonly bySignature = new Map<string, Cause>()

  add(signature: string, failure: FailureSummary): void {
    let cause = this.bySignature.get(signature)
    if (!cause) {
      cause = { signature, count: 0, files: new Map(), example: failure, names: [] }
      this.bySignature.set(signature, cause)
    }
    cause.count++
    cause.files.set(failure.file, (cause.files.get(failure.file) ?? 0) + 1)
    if (cause.names.length < MAX_CAUSE_NAMES) cause.names.push(nameOf(failure))
  }

  /** A failure that no longer counts (its test passed on a retry). */
  remove(signature: string, failure: { file: string; test?: string | undefined }): void {
    const cause = this.bySignature.get(signature)
    if (!cause) return
    cause.count--
    const left = (cause.files.get(failure.file) ?? 1) - 1
    if (left > 0) cause.files.set(failure.file, left)
    else cause.files.delete(failure.file)
    const i = cause.names.indexOf(nameOf(failure))
    if (i >= 0) cause.names.splice(i, 1)
    if (cause.count <= 0) this.bySignature.delete(signature)
  }

  /** Causes, most failures first (then in the order they first failed). */
  list(): Cause[] {
    return [...this.bySignature.values()].sort((a, b) => b.count - a.count)
  }

  get size(): number {
    return this.bySignature.size
  }
}

/** `file › test`, or the file alone for a file that failed outside its tests. */
export const nameOf = (f: { file: string; test?: string | undefined }): string =>
  f.test !== undefined ? `${f.file} › ${f.test}` : f.file
