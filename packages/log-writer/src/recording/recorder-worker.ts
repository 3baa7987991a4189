/**
 * The worker thread of {@link ThreadRecorder}: a RunRecorder fed with the events the runner's
 * thread puts in the shared ring, taken every RING_POLL_MS. It prints nothing itself: what it has to say goes back to the runner's
 * thread as messages while the run goes, and in the shared "last words" once it ends, when the
 * runner's thread is waiting for it.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { EventInput } from '@threepio/core'
import { MAX_OUTPUT_CHARS } from '@threepio/core/output-text'
import { warningText } from '../run-model/notes.js'
import { RunRecorder } from './run-recorder.js'
import {
  HEADER_BYTES,
  HEADER_READ,
  HEADER_STATE,
  HEADER_WORDS,
  HEADER_WRITE,
  RING_POLL_MS,
  WORKER_DONE,
  WORKER_FAILED,
  type LastWords,
  type RecorderWorkerData,
  type RecorderWorkerNote,
  type RecorderWorkerOp,
} from './thread-protocol.js'

const { options, prepared, done, ring } = workerData as RecorderWorkerData
const header = new Int32Array(done, 0, HEADER_BYTES / 4)
const body = new Uint8Array(done, HEADER_BYTES)
const ringBytes = new Uint8Array(ring)
const decoder = new TextDecoder()
let read = 0

/** Set once the runner's thread waits: its messages would not be read before the process goes. */
let ending = false
const held: RecorderWorkerNote[] = []
/**
 * The warning posted while the run went: handed over again at the end, in case the runner's
 * thread went into its wait (or the process ended) before reading the message. It prints one
 * warning a run, so a second copy is dropped there.
 */
let posted: RecorderWorkerNote | undefined
const say = (note: RecorderWorkerNote) => {
  if (ending) return void held.push(note)
  if (note.warning) posted ??= note
  parentPort!.postMessage(note)
}

function finish(state: number, closing?: string): void {
  const out = posted ? [posted, ...held] : held
  const words: LastWords = { ...(closing !== undefined ? { closing } : {}), out }
  let bytes = Buffer.from(JSON.stringify(words))
  // Too much to hand over (thousands of annotations): the closing line and the warning first.
  while (bytes.length > body.length && words.out.length) {
    words.out.pop()
    bytes = Buffer.from(JSON.stringify(words))
  }
  if (bytes.length <= body.length) {
    body.set(bytes)
    Atomics.store(header, HEADER_WORDS, bytes.length)
  }
  Atomics.store(header, HEADER_STATE, state)
  Atomics.notify(header, HEADER_STATE)
}

type OutputInput = Extract<EventInput, { type: 'output' }>

/** Whether `next` continues `held`: the same file, project, mode, test and stream, and room. */
function sameOutput(held: OutputInput, next: OutputInput): boolean {
  return (
    next.stream === held.stream &&
    next.testId === held.testId &&
    next.file === held.file &&
    next.project === held.project &&
    next.mode === held.mode &&
    held.text.length + next.text.length <= MAX_OUTPUT_CHARS
  )
}

/** Bytes of a line whose end is not in the ring yet. */
let partial: Buffer | undefined

/** The whole lines the runner's thread put in the ring since the last call. */
function take(): string[] {
  const write = Atomics.load(header, HEADER_WRITE)
  if (write === read) return []
  const parts =
    write > read
      ? [ringBytes.subarray(read, write)]
      : [ringBytes.subarray(read), ringBytes.subarray(0, write)]
  let bytes = Buffer.concat(partial ? [partial, ...parts] : parts) // a copy: the ring is reused
  read = write
  Atomics.store(header, HEADER_READ, read)
  Atomics.notify(header, HEADER_READ) // the runner's thread may wait for room
  const end = bytes.lastIndexOf(10) + 1
  partial = end < bytes.length ? bytes.subarray(end) : undefined
  bytes = bytes.subarray(0, end)
  if (!end) return []
  const lines = decoder.decode(bytes).split('\n')
  lines.pop() // after the last newline: empty
  return lines
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
  const record = () => {
    // Output events that follow one another in what was taken, of one test (or file) and
    // stream, are recorded as one, with the first one's time: a test's console lines come a few
    // microseconds apart, and each event costs the second core the tests share more than its text.
    let output: OutputInput | undefined
    const flush = () => {
      if (output) recorder?.emit(output)
      output = undefined
    }
    for (const line of take()) {
      let event: EventInput
      try {
        event = JSON.parse(line) as EventInput
      } catch (err) {
        flush() // what came before the unreadable line stays before its diagnostic
        recorder?.problem({
          level: 'error',
          message: `an event could not be read back: ${String(err)}`,
        })
        continue
      }
      if (output && event.type === 'output' && sameOutput(output, event)) {
        output.text += event.text
        continue
      }
      flush()
      if (event.type === 'output') output = event
      else recorder?.emit(event)
    }
    flush()
  }
  const poll = setInterval(() => {
    try {
      record()
    } catch (err) {
      recorder?.problem({ level: 'error', message: `recording failed: ${String(err)}` })
    }
  }, RING_POLL_MS)
  parentPort!.on('message', (op: RecorderWorkerOp) => {
    clearInterval(poll)
    try {
      ending = true
      record()
      recorder?.end({ status: op.status, ...(op.reason ? { reason: op.reason } : {}) })
      const quiet = prepared.resolved.quiet
      finish(WORKER_DONE, recorder && !quiet ? recorder.closingLine() : undefined)
    } catch (err) {
      held.push({ text: warningText(String(err)), warning: true })
      finish(WORKER_FAILED)
    }
    parentPort!.close()
  })
} catch (err) {
  held.push({ text: warningText(`not recording this run: ${String(err)}`), warning: true })
  finish(WORKER_FAILED)
}
