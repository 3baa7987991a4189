/**
 * What the setup file installs in a test file: console output and `process.stdout/stderr.write`
 * recorded with the test that is running, handed to the reporter (in band) or appended to a side
 * file (in a worker). In band, the reporter's own copy of this code installs it (the setup file
 * calls it through the hub on `process`): it is compiled and optimized once for the run, where
 * the setup file's copy is evaluated afresh in every test file and would run each console line
 * through cold code.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { EventInput } from '@threepio/core'
import { MAX_OUTPUT_CHARS, splitText } from '@threepio/core/output-text'
import { toEventFile } from '@threepio/core/path-map'
import { jestTestId, type LiveSink, type SideOutput, type TestFileGlobals } from './protocol.js'

type OutputInput = Extract<EventInput, { type: 'output' }>

/** Read once: in the CommonJS build an imported binding is a getter call on every use. */
const MAX_CHARS = MAX_OUTPUT_CHARS
type SideLine = SideOutput & { seq?: number }

/**
 * Installs the capture in the test file whose globals these are. With `sink` (in band) output is
 * handed over to it; without, it is appended to `<dir>/<pid>.jsonl`.
 */
export function installCapture(
  g: TestFileGlobals,
  dir: string,
  root: string,
  sink: LiveSink | undefined,
): void {
  let fd: number | undefined
  if (!sink) {
    try {
      mkdirSync(dir, { recursive: true })
      fd = openSync(join(dir, `${process.pid}.jsonl`), 'a')
    } catch {
      return // no live output for this file; the reporter still gets it at file end
    }
  }
  const restore: Array<() => void> = []
  let testsOver = false
  const finish = () => {
    if (testsOver) return
    testsOver = true
    for (const r of restore) r()
    try {
      if (fd !== undefined) closeSync(fd)
    } catch {
      // already closed
    }
  }
  const record = outputRecorder(g, root, sink, fd, () => testsOver, finish, restore)
  // Console calls are taken from the test console's own buffer (Jest's BufferedConsole, and
  // CustomConsole from Jest 30 on) rather than by wrapping console methods: a wrapper would add a
  // stack frame and shift the call site Jest prints under each console line.
  const buffer = (g.console as { _buffer?: unknown })._buffer
  if (Array.isArray(buffer)) {
    const pending = pendingWrites(record)
    takeConsoleEntries(buffer as ConsoleEntry[], record, pending.drop, restore)
    for (const stream of ['stdout', 'stderr'] as const)
      restore.push(wrapWrite(g, stream, pending.add))
  } else {
    for (const stream of ['stdout', 'stderr'] as const) restore.push(wrapWrite(g, stream, record))
  }
  // The first root afterAll hook (this file is loaded before the test file): from here on the
  // file's tests are over. Console output of later afterAll hooks reaches the reporter in the
  // file's result, from the console entry after the last one recorded here (`consoleIndex`).
  const { afterAll } = g
  afterAll(finish)
}

type RecordOutput = (stream: 'stdout' | 'stderr', text: string, consoleIndex?: number) => void

/**
 * What records one piece of output with the test that is running: handed over in band, else a
 * side-file line with what the reporter matches it by.
 */
function outputRecorder(
  g: TestFileGlobals,
  root: string,
  sink: LiveSink | undefined,
  fd: number | undefined,
  over: () => boolean,
  finish: () => void,
  restore: Array<() => void>,
): RecordOutput {
  const { expect, jest } = g
  // expect's state object, taken once (expect updates it in place): Jest 30 soft-deletes the
  // file's globals when it tears the file down, and reading `expect.getState` after that prints
  // a deprecation warning into the user's output. Output can come after teardown: in band, the
  // worker is Jest's own process, and afterAll never runs in a file that failed to load.
  const state = expect.getState()
  // Whether Jest tore this file down: a file that failed to load never runs afterAll, and its
  // wrappers must not take the next file's output, or (in band) Jest's own report, for its own.
  const tornDown =
    typeof jest !== 'undefined' && typeof jest?.isEnvironmentTornDown === 'function'
      ? jest.isEnvironmentTornDown.bind(jest)
      : () => false
  const testPath = state.testPath
  const file = testPath ? toEventFile(root, testPath) : undefined
  let seq = 0
  const starts = countStarts(g)
  restore.push(() => starts.stop())
  // The test id of the last name seen: a test prints its lines one after another.
  let lastName: string | undefined
  let lastId: string | undefined
  // No object spreads: a console call is a hot path.
  const put = (
    stream: 'stdout' | 'stderr',
    text: string,
    testId: string | undefined,
    testStart: number | undefined,
    consoleIndex: number | undefined,
  ) => {
    const event = { type: 'output', time: Date.now() } as OutputInput & SideLine
    if (!sink) event.seq = ++seq
    if (file !== undefined) {
      event.file = file
      if (testId !== undefined) event.testId = testId
    }
    event.stream = stream
    event.text = text
    if (sink) return sink(event, testStart, consoleIndex)
    if (testStart !== undefined) event.testStart = testStart
    if (consoleIndex !== undefined) event.consoleIndex = consoleIndex
    writeSync(fd!, JSON.stringify(event) + '\n')
  }
  return (stream, text, consoleIndex) => {
    if (!text || over()) return
    if (tornDown()) return finish()
    try {
      const name = state.currentTestName
      let testId: string | undefined
      let testStart: number | undefined
      if (name) {
        if (file !== undefined && name !== lastName) {
          lastName = name
          lastId = jestTestId(file, name)
        }
        testId = file !== undefined ? lastId : undefined
        testStart = starts.current() || undefined
      }
      if (text.length <= MAX_CHARS) return put(stream, text, testId, testStart, consoleIndex)
      // Long output in parts, as events.jsonl holds it: one line stays well below the bound
      // the reporter reads side files with.
      const parts = splitText(text)
      for (let i = 0; i < parts.length; i++)
        put(stream, parts[i]!, testId, testStart, i === 0 ? consoleIndex : undefined)
    } catch {
      // never disturb the test
    }
  }
}

/**
 * Writes seen while a console call may still add the same text to the buffer (Jest 30 in
 * verbose mode prints and buffers): settled at the end of the task, unless the buffer took them.
 */
function pendingWrites(record: RecordOutput) {
  let pending: Array<{ stream: 'stdout' | 'stderr'; text: string }> = []
  let settling = false
  const settle = () => {
    settling = false
    const out = pending
    pending = []
    for (const p of out) record(p.stream, p.text)
  }
  return {
    add(stream: 'stdout' | 'stderr', text: string): void {
      if (!text) return
      pending.push({ stream, text })
      if (!settling) {
        settling = true
        queueMicrotask(settle)
      }
    },
    /** The console buffer took `message`: a write of it is not recorded again. */
    drop(message: string): void {
      if (pending.length) pending = pending.filter((p) => !p.text.includes(message))
    },
  }
}

type ConsoleEntry = { message: string; type: string }

/** Records each entry the test console pushes into its buffer. */
function takeConsoleEntries(
  entries: ConsoleEntry[],
  record: RecordOutput,
  taken: (message: string) => void,
  restore: Array<() => void>,
): void {
  let consoleEntries = 0
  const push = entries.push
  const take = (item: ConsoleEntry) => {
    taken(item.message)
    record(
      item.type === 'error' || item.type === 'warn' ? 'stderr' : 'stdout',
      item.message + '\n',
      consoleEntries++,
    )
  }
  Object.defineProperty(entries, 'push', {
    configurable: true,
    writable: true,
    // Jest pushes one entry a console call: that case allocates nothing here.
    value(this: ConsoleEntry[], item: ConsoleEntry) {
      if (arguments.length === 1) {
        take(item)
        return push.call(this, item)
      }
      // A rest parameter would be an array on every console call.
      // eslint-disable-next-line prefer-rest-params
      const items = Array.prototype.slice.call(arguments) as ConsoleEntry[]
      for (const i of items) take(i)
      return push.apply(this, items)
    },
  })
  restore.push(() => delete (entries as { push?: unknown }).push)
}

/** Wraps the stream's write to hand its text to `seen`; returns what unwraps it. */
function wrapWrite(
  g: TestFileGlobals,
  stream: 'stdout' | 'stderr',
  seen: (stream: 'stdout' | 'stderr', text: string) => void,
): () => void {
  const s = g.process[stream]
  const original = s.write
  const wrapper = function (this: unknown, chunk: unknown, ...rest: unknown[]) {
    const text =
      typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : ''
    seen(stream, text)
    return (original as (...a: unknown[]) => boolean).apply(this, [chunk, ...rest])
  } as typeof s.write
  s.write = wrapper
  // Only while nothing wrapped it since (a later file's setup): else it stays, passing through.
  return () => {
    if (s.write === wrapper) s.write = original
  }
}

/** A jest-circus test, as far as counting its starts reads it. */
interface CircusTest {
  status?: unknown
}

/**
 * Counts the test invocations started in this file, in the order the reporter sees them as
 * onTestCaseStart (jest-circus's `test_started`): a started test is one whose `test_start` was
 * not followed by `test_skip` or `test_todo`. Read from jest-circus's state, where each
 * `test_start` sets `currentlyRunningTest`: a property setter sees every start, and whether the
 * test was skipped is settled when the next one starts or output is recorded (output comes only
 * from a test that runs). A test that a failed `beforeAll` left with errors runs no `beforeEach`
 * hook but is still reported as started, so a root `beforeEach` undercounts them; it is the
 * fallback where jest-circus's state is not found (another test runner), and costs Jest's hook
 * machinery on every test besides.
 */
function countStarts(g: TestFileGlobals): { current(): number; stop(): void } {
  let started = 0
  let undecided: CircusTest | undefined
  const settle = () => {
    if (undecided && undecided.status !== 'skip' && undecided.status !== 'todo') started++
    undecided = undefined
  }
  const circus = circusState(g.globalThis)
  const property = circus && Object.getOwnPropertyDescriptor(circus, 'currentlyRunningTest')
  if (!circus || !property || !('value' in property) || !property.configurable) {
    g.beforeEach(() => {
      started++
    })
    return { current: () => started, stop() {} }
  }
  let running = property.value as CircusTest | null | undefined
  Object.defineProperty(circus, 'currentlyRunningTest', {
    configurable: true,
    enumerable: property.enumerable ?? true,
    get: () => running,
    set(test: CircusTest | null | undefined) {
      settle()
      running = test
      if (test) undecided = test
    },
  })
  return {
    current() {
      settle()
      return started
    },
    stop() {
      // Back to a plain property with the value it has now.
      if (Object.getOwnPropertyDescriptor(circus, 'currentlyRunningTest')?.get)
        Object.defineProperty(circus, 'currentlyRunningTest', { ...property, value: running })
    },
  }
}

/** jest-circus's state object: on the test file's global, under a symbol it does not export. */
function circusState(global: object): Record<string, unknown> | undefined {
  for (const key of Object.getOwnPropertySymbols(global))
    if (key.description === 'JEST_STATE_SYMBOL') {
      const state = (global as Record<symbol, unknown>)[key]
      return state && typeof state === 'object' ? (state as Record<string, unknown>) : undefined
    }
  return undefined
}
