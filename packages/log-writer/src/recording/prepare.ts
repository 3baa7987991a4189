/**
 * The first, synchronous steps of recording a run, which the test runner's own thread takes
 * before anything else: the options checked, the run directory created. Loads no more than the
 * option rules and the run-directory layout (no event schema), so a reporter that hands the rest
 * to a worker thread costs the runner little to load.
 */
import {
  createRunDirectory,
  describeFsError,
  resolveOptions,
  type ResolvedOptions,
  type RunPaths,
} from '@threepio/core/options'
import { writeStderr } from './exit-hooks.js'
import { warningText } from '../run-model/notes.js'
import type { RecorderOptions } from './recorder.js'

/** A run directory created for a run, with the options that decided where. */
export interface PreparedRun {
  paths: RunPaths
  resolved: ResolvedOptions
  /** What was wrong with the options (printed already; recorded as diagnostics). */
  warnings: string[]
  startTime: number
}

/**
 * The first, synchronous part of starting a run: validates the options (each bad value one
 * warning on stderr) and creates the run directory. Returns undefined, after one warning, when
 * the directory cannot be created: the test run goes on without a record.
 */
export function prepareRun(options: RecorderOptions): PreparedRun | undefined {
  const stderr = options.stderr ?? writeStderr
  const { options: resolved, warnings } = resolveOptions(options.options, {
    rootDir: options.rootDir,
    ...(options.env ? { env: options.env } : {}),
    ...(options.otherOptionKeys ? { otherKeys: options.otherOptionKeys } : {}),
  })
  for (const w of warnings) stderr(warningText(w))
  try {
    return {
      paths: createRunDirectory(resolved.outputDir),
      resolved,
      warnings,
      startTime: Date.now(),
    }
  } catch (err) {
    stderr(
      warningText(
        `not recording this run: ${describeFsError(err)}; set outputDir or THREEPIO_DIR to a directory you can write to`,
      ),
    )
    return undefined
  }
}
