/**
 * Atomic replacement of run-directory files (`latest`, summaries). Not part of
 * `@threepio/core/options`: a reporter's first steps in the test runner's own thread create the
 * run directory but replace no file, and do not load write-file-atomic.
 */
import { renameSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import writeFileAtomic from 'write-file-atomic'
import { LATEST_FILE, LATEST_LINK, RUNS_DIR } from './run-dir.js'

/**
 * Replaces a file atomically (temporary file, rename) and, unless `fsync: false`, durably (the
 * temporary file fsync'd before the rename). Throws on failure.
 */
export function writeFileAtomicSync(
  path: string,
  data: string | Buffer,
  options: { fsync?: boolean } = {},
): void {
  writeFileAtomic.sync(path, data, { fsync: options.fsync ?? true })
}

/**
 * Points `<outputDir>/latest` at `runId`, atomically (throws on failure), and the symlink
 * `<outputDir>/runs/latest` at its directory (best effort: not every file system has symlinks).
 */
export function writeLatest(outputDir: string, runId: string): void {
  writeFileAtomicSync(join(outputDir, LATEST_FILE), runId + '\n')
  const link = join(outputDir, RUNS_DIR, LATEST_LINK)
  const temp = `${link}.${process.pid}.tmp`
  try {
    symlinkSync(runId, temp, 'dir')
    renameSync(temp, link) // replaces the old link atomically
  } catch {
    rmSync(temp, { force: true })
  }
}
