/** `threepio follow`: a run's progress as it is written. */
import { join } from 'node:path'
import { EVENTS_FILE, EventLogFollower, type Event } from '@threepio/core'
import {
  fileKey,
  fileLabel,
  formatDuration,
  formatTests,
  fullName,
  isRunLive,
  oneLine,
  RunState,
  statusLabel,
  summaryJson,
  writerAlive,
} from '@threepio/log-writer'
import { paintStatus, type CliIo } from '../io.js'

function describe(event: Event, state: RunState, io: CliIo): string | undefined {
  switch (event.type) {
    case 'run-start':
      return `threepio: following ${event.runner.name} ${event.runner.version} run ${event.runId}`
    case 'test-end':
      if (event.status !== 'failed' && event.status !== 'error') return undefined
      return `✗ ${event.file} › ${oneLine(fullName(event.test))}${event.error ? `\n    ${oneLine(event.error.message.split('\n')[0] ?? '')}` : ''}`
    case 'file-end': {
      const f = state.files.get(fileKey(event.file, event.project, event.mode))
      if (!f) return undefined
      const what = f.failedToLoad ? 'failed to load' : formatTests(f.counts, f.teardownErrors)
      return `■ ${paintStatus(io, f.status.toUpperCase())} ${fileLabel(f)} · ${what}`
    }
    case 'run-end': {
      const json = summaryJson(state)
      return `threepio: ${paintStatus(io, statusLabel(json.status, json.watch))} · ${json.headline} · ${formatDuration(event.durationMs)}`
    }
    case 'diagnostic':
      return `threepio ${event.level}: ${event.message}`
    default:
      return undefined
  }
}

export async function follow(runDir: string, exitStatus: boolean, io: CliIo): Promise<number> {
  const follower = new EventLogFollower(join(runDir, EVENTS_FILE))
  const state = new RunState()
  let pid: number | undefined
  let startTime: number | undefined
  const check = setInterval(() => {
    if (pid === undefined ? !isRunLive(runDir) : !writerAlive(pid, startTime)) follower.finish()
  }, 250)
  let ended = false
  try {
    for await (const event of follower) {
      if (event.type === 'run-start') {
        pid = event.pid
        startTime = event.time
      }
      state.apply(event)
      const line = describe(event, state, io)
      if (line) io.out(line + '\n')
      if (event.type === 'run-end') {
        ended = true
        follower.finish()
      }
    }
  } finally {
    clearInterval(check)
  }
  if (!ended)
    io.out(
      `threepio: the writer is gone and events.jsonl ends without run-end (${paintStatus(io, 'INCOMPLETE')})\n`,
    )
  if (!exitStatus) return 0
  return ended && summaryJson(state).status === 'PASSED' ? 0 : 1
}
