/** Where the write capture (write-capture.ts) keeps a test's writes in its meta, for the reporter. */
export const WRITES_KEY = 'threepioWrites'

/** A test's process.stdout/stderr writes in order, and the characters left out past the limit. */
export interface CapturedWrites {
  parts: Array<['stdout' | 'stderr', string]>
  chars: number
  dropped: number
}
