/**
 * Console output live and under the test that printed it, from the optional setup file: read
 * from the workers' side files, or handed over directly when Jest runs the tests in band. Output
 * of a test whose start Jest has not reported yet waits for it, in order.
 */
import { join } from 'node:path'
import type { OutputEvent } from '@threepio/core'
import type { Recorder } from '@threepio/log-writer'
import type { Test } from '@jest/test-result'
import type { Config } from '@jest/types'
import { installCapture } from './capture.js'
import type { FileState, OpenFiles, OutputInput } from './open-files.js'
import {
  LIVE_HUB,
  ROOT_DIR_ENV,
  SIDE_DIR_ENV,
  SIDE_DIR_NAME,
  type LiveHub,
  type LiveSink,
  type SideOutput,
} from './protocol.js'
import { SideFiles } from './side-files.js'

/** How often the workers' live output is read (it reaches the logs within this, plus 25 ms). */
const SIDE_FILE_POLL_MS = 25

export class LiveOutput {
  private readonly sideFiles: SideFiles
  /** What the setup file finds in band (on `process` while the run goes). */
  private liveHub: LiveHub | undefined
  private sideSkipped = 0
  /** The setup file had the capture installed here: the tests run in this process, not in workers. */
  private inBand = false
  private readonly pollTimer: NodeJS.Timeout
  private lastPoll = 0

  constructor(
    private readonly r: Recorder,
    private readonly files: OpenFiles,
    rootDir: string,
  ) {
    // Workers start after this and inherit the environment: the setup file finds its side file.
    const dir = join(r.paths.runDir, SIDE_DIR_NAME)
    process.env[SIDE_DIR_ENV] = dir
    process.env[ROOT_DIR_ENV] = rootDir
    this.sideFiles = new SideFiles(dir)
    // In band, the setup file runs in this process: it has this module install the capture, which
    // hands output over here, not through a file. Called for every console line: no closure per
    // call, and the guard only when it throws.
    const sink: LiveSink = (event, testStart, consoleIndex) => {
      if (r.isEnded) return
      try {
        this.accept(event, testStart, consoleIndex)
      } catch (err) {
        r.guard('live output', () => {
          throw err
        })
      }
    }
    const hub: LiveHub = {
      install: (globals) => {
        this.inBand = true
        if (!r.isEnded) r.guard('the setup file', () => installCapture(globals, dir, rootDir, sink))
      },
    }
    this.liveHub = hub
    ;(process as unknown as Record<symbol, unknown>)[LIVE_HUB] = hub
    this.pollTimer = setInterval(
      () => r.guard('reading live output', () => this.poll()),
      SIDE_FILE_POLL_MS,
    )
    this.pollTimer.unref()
    r.beforeEnd(() => {
      this.stop()
      this.poll()
      for (const state of this.files.values()) this.drain(state, true)
    })
  }

  /**
   * Before a test's result (a hot path): reads the side files at most every 20 ms, and only where
   * the setup file writes them (not in band, where it hands its output over directly).
   */
  beforeResult(test: Test): void {
    if (!this.inBand && liveOutput(test) && Date.now() - this.lastPoll >= 20) this.poll()
  }

  /** Reads what the workers wrote since the last time. */
  poll(): void {
    this.lastPoll = Date.now()
    if (this.r.isEnded) return
    for (const event of this.sideFiles.poll()) {
      if (event.type !== 'output') continue
      const { seq: _seq, testStart, consoleIndex, ...output } = event as OutputEvent & SideOutput
      this.accept(output, testStart, consoleIndex)
    }
    const skipped = this.sideFiles.skipped
    if (skipped > this.sideSkipped) {
      this.sideSkipped = skipped
      this.r.problem({
        level: 'warn',
        code: 'ESIDEFILE',
        message: `${skipped} line(s) of live output from Jest workers (${this.sideFiles.dir}) could not be read and were skipped`,
      })
    }
  }

  /**
   * Emits the file's waiting live output, each part under the test invocation that printed it
   * (matched by start order, so tests that share a title stay apart). `all` at the file's end.
   */
  drain(state: FileState, all = false): void {
    const { waiting, waitingStarts } = state
    let i = 0
    for (; i < waiting.length; i++) {
      const testStart = waitingStarts[i]
      const entry = testStart !== undefined ? state.starts[testStart - 1] : undefined
      if (testStart !== undefined && !entry && !all) break
      const event = waiting[i]!
      if (entry) event.testId = entry.id
      this.r.emit(event)
    }
    if (i) {
      waiting.splice(0, i)
      waitingStarts.splice(0, i)
    }
  }

  /** The setup file stops handing output over here; reading side files stops. */
  stop(): void {
    clearInterval(this.pollTimer)
    const host = process as unknown as Record<symbol, unknown>
    if (this.liveHub && host[LIVE_HUB] === this.liveHub) delete host[LIVE_HUB]
    this.liveHub = undefined
  }

  /**
   * One output event of the setup file (from a side file, or handed over in band: then the event
   * is ours to complete), with the test invocation that printed it and its console entry.
   */
  private accept(
    event: OutputInput,
    testStart: number | undefined,
    consoleIndex: number | undefined,
  ): void {
    const state = this.files.forOutput(event.file)
    if (!state) {
      this.r.emit(event)
      return
    }
    if (state.project) event.project = state.project
    if (consoleIndex !== undefined && consoleIndex >= state.consoleSeen)
      state.consoleSeen = consoleIndex + 1
    // Output of a test whose start Jest has not reported yet waits for it, keeping its order.
    const entry = testStart !== undefined ? state.starts[testStart - 1] : undefined
    if (!state.waiting.length && (entry || testStart === undefined)) {
      if (entry) event.testId = entry.id
      this.r.emit(event)
      return
    }
    state.waiting.push(event)
    state.waitingStarts.push(testStart)
    this.drain(state)
  }
}

const usesSetupFile = new WeakMap<Config.ProjectConfig, boolean>()

/** True when the project loads the setup file: console output then comes live, not at file end. */
export function liveOutput(test: Test): boolean {
  const config = test.context.config
  let uses = usesSetupFile.get(config)
  if (uses === undefined) {
    uses = config.setupFilesAfterEnv.some((f) =>
      /[\\/]jest-reporter[\\/](dist[\\/])?setup\.c?js$/.test(f),
    )
    usesSetupFile.set(config, uses)
  }
  return uses
}
