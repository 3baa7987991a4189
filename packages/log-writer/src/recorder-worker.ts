/**
 * The worker thread of {@link ThreadRecorder}: a RunRecorder fed with the events the runner's
 * thread hands over. It prints nothing itself: what it has to say goes back to the runner's
 * thread as messages while the run goes, and in the shared "last words" once it ends, when the
 * runner's thread is waiting for it.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { RunRecorder } from './recorder.js'
import {
  WORKER_DONE,
  WORKER_FAILED,
  type LastWords,
  type RecorderWorkerData,
  type RecorderWorkerNote,
  type RecorderWorkerOp,
} from './thread.js'

const { options, prepared, done } = workerData as RecorderWorkerData
const header = new Int32Array(done, 0, 2)
const body = new Uint8Array(done, 8)

/** Set once the runner's thread waits: its messages would not be read before the process goes. */
let ending = false
const held: RecorderWorkerNote[] = []
const say = (note: RecorderWorkerNote) => {
  if (ending) held.push(note)
  else parentPort!.postMessage(note)
}

function finish(state: number, closing?: string): void {
  const words: LastWords = { ...(closing !== undefined ? { closing } : {}), out: held }
  let bytes = Buffer.from(JSON.stringify(words))
  // Too much to hand over (thousands of annotations): the closing line and the warning first.
  while (bytes.length > body.length && words.out.length) {
    words.out.pop()
    bytes = Buffer.from(JSON.stringify(words))
  }
  if (bytes.length <= body.length) {
    body.set(bytes)
    Atomics.store(header, 1, bytes.length)
  }
  Atomics.store(header, 0, state)
  Atomics.notify(header, 0)
}

try {
  const recorder = RunRecorder.open(
    {
      ...options,
      handleExit: false, // signals and exit are the runner's thread's: it asks for the end
      closingLine: 'none', // printed by the runner's thread, after the framework's summary
      stderr: (text) => say({ text, warning: false }),
      warn: (text) => say({ text, warning: true }),
    },
    prepared,
  )
  parentPort!.on('message', (op: RecorderWorkerOp) => {
    try {
      if (op.op === 'events') {
        for (const event of op.events) recorder?.emit(event)
        return
      }
      ending = true
      recorder?.end({ status: op.status, ...(op.reason ? { reason: op.reason } : {}) })
      const quiet = prepared.resolved.quiet
      finish(WORKER_DONE, recorder && !quiet ? recorder.closingLine() : undefined)
      parentPort!.close()
    } catch (err) {
      held.push({ text: `threepio: warning: ${String(err)}\n`, warning: true })
      finish(WORKER_FAILED)
      parentPort!.close()
    }
  })
} catch (err) {
  held.push({ text: `threepio: warning: not recording this run: ${String(err)}\n`, warning: true })
  finish(WORKER_FAILED)
}
