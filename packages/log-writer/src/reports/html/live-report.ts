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

  private schedule(): void {
    this.changed ??= setTimeout(() => {
      this.changed = undefined
      this.emit()
    }, this.settleMs)
  }

  private emit(): void {
    const data = this.data()
    for (const listener of this.listeners) listener(data)
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
