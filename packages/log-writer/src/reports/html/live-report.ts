/**
 * A run followed as it is written, for `threepio serve`: its events.jsonl read as the log writer
 * reads it (core's follower), into the same RunState, and the page's data after each change.
 */
import { join } from 'node:path'
import { EVENTS_FILE, EventLogFollower } from '@threepio/core'
import { processAlive } from '../../run-directory/retention.js'
import { historyAtEnd } from '../../history/record-run.js'
import { RunState } from '../../run-model/run-state.js'
import { reportData, type ReportData } from './report-data.js'
import { runHistory, type RunHistory } from './run-history.js'

export class LiveReport {
  readonly state = new RunState()
  private readonly follower: EventLogFollower
  private readonly listeners = new Set<(data: ReportData) => void>()
  private changed: NodeJS.Timeout | undefined
  private ended = false
  private history: RunHistory = { chart: [], past: new Map() }
  /** How long the last change took to build and hand to the listeners (ms). */
  private lastEmitMs = 0

  constructor(
    private readonly runDir: string,
    /** Coalesces a burst of events into one change (ms). */
    private readonly settleMs = 100,
  ) {
    this.follower = new EventLogFollower(join(runDir, EVENTS_FILE), { pollIntervalMs: 100 })
    void this.follow()
  }

  private async follow(): Promise<void> {
    const check = setInterval(() => {
      const pid = this.state.start?.pid
      if (pid !== undefined && !processAlive(pid)) this.follower.finish()
    }, 500)
    check.unref()
    try {
      for await (const event of this.follower) {
        this.state.apply(event)
        if (event.type === 'run-end') this.follower.finish()
        this.schedule()
      }
    } finally {
      clearInterval(check)
      this.end()
    }
  }

  private end(): void {
    if (this.ended) return
    this.ended = true
    this.state.finish()
    historyAtEnd(this.runDir, this.state, { mode: 'read' })
    this.history = runHistory(this.runDir, this.state)
    this.emit()
  }

  /**
   * The next change waits `settleMs`, or twice as long as the last one took: the data is built
   * whole each time, so a large run's page costs the server at most a third of a core.
   */
  private schedule(): void {
    this.changed ??= setTimeout(
      () => {
        this.changed = undefined
        this.emit()
      },
      Math.max(this.settleMs, 2 * this.lastEmitMs),
    )
  }

  private emit(): void {
    if (!this.listeners.size) return
    const start = performance.now()
    const data = this.data()
    for (const listener of this.listeners) listener(data)
    this.lastEmitMs = performance.now() - start
  }

  /** The page's data as the run stands now. */
  data(): ReportData {
    return reportData(this.state, this.history, this.runDir)
  }

  /** Calls `listener` after each change; returns the function that stops it. */
  onChange(listener: (data: ReportData) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  close(): void {
    if (this.changed) clearTimeout(this.changed)
    this.follower.close()
  }
}
