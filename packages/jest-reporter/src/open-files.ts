/**
 * Which file and which test a Jest hook is about. Jest gives no test ids: a test is its file,
 * project and full name, and the nth test of a repeated full name is its nth start (a start of a
 * failed test's name is its retry only where the file may retry).
 */
import type { EventInput, TestStatus } from '@threepio/core'
import { toEventFile } from '@threepio/core/path-map'
import type { AssertionResult, Test } from '@jest/test-result'
import type { Config } from '@jest/types'
import { jestTestId } from './protocol.js'
import { mayRetry } from './retries.js'

export interface TestEntry {
  id: string
  /** Attempts reported so far (Jest's `invocations`); 0 before the first result. */
  invocations: number
  status?: TestStatus
  /** A retry of it has started. */
  retrying?: boolean
}

export type OutputInput = Extract<EventInput, { type: 'output' }>

export interface FileState {
  /** Absolute path, as Jest gives it. */
  path: string
  file: string
  project?: string
  /** The tests seen in this file, by full name (several when titles repeat). */
  tests: Map<string, TestEntry[]>
  /** Test invocations in the order they started (a retry again): side-file output names them. */
  starts: TestEntry[]
  /** Live output of a test invocation whose start has not been reported yet, in order … */
  waiting: OutputInput[]
  /** … and the ordinal of the test invocation that printed each (undefined: none). */
  waitingStarts: Array<number | undefined>
  /** Console entries of the file recorded live (the rest come with its result). */
  consoleSeen: number
}

/** The files Jest is running, by path and project. */
export class OpenFiles {
  private readonly files = new Map<string, FileState>()
  /** The answer of {@link forOutput} for the file of the last live output. */
  private liveFile: { file: string; state: FileState | undefined } | undefined
  /** The answer of {@link live} while only one file is open. */
  private liveState: FileState | undefined

  constructor(private readonly rootDir: string) {}

  /** The file a hook of Jest's own thread is about (its project is the test's own). */
  get(test: Test): FileState {
    const project = displayName(test.context.config.displayName)
    const key = test.path + '\0' + (project ?? '')
    let state = this.files.get(key)
    if (!state) {
      state = {
        path: test.path,
        file: toEventFile(this.rootDir, test.path),
        ...(project ? { project } : {}),
        tests: new Map(),
        starts: [],
        waiting: [],
        waitingStarts: [],
        consoleSeen: 0,
      }
      this.files.set(key, state)
      this.liveFile = undefined
      this.liveState = undefined
    }
    return state
  }

  /**
   * The file a live (worker) hook is about. Jest hands these hooks the last project's context
   * whatever the project, so the project comes from the file's own start when it is unambiguous.
   */
  live(test: Test): FileState {
    const last = this.liveState
    if (last && last.path === test.path && this.files.size === 1) return last
    let only: FileState | undefined
    let open = 0
    for (const f of this.files.values()) if (f.path === test.path && open++ === 0) only = f
    if (open === 1) return (this.liveState = only!)
    const project = displayName(test.context.config.displayName)
    const all = [...this.files.values()].filter((f) => f.path === test.path)
    return all.find((f) => f.project === project) ?? all[0] ?? this.get(test)
  }

  /**
   * The file of live output: the setup file does not know the project, so it is the one running
   * that file, if only one is. The last answer is kept until a file starts or ends.
   */
  forOutput(file: string | undefined): FileState | undefined {
    if (file === undefined) return undefined
    if (this.liveFile?.file === file) return this.liveFile.state
    let state: FileState | undefined
    let open = 0
    for (const f of this.files.values()) if (f.file === file && open++ === 0) state = f
    if (open > 1) state = undefined
    this.liveFile = { file, state }
    return state
  }

  /** The file ended. */
  close(test: Test, state: FileState): void {
    this.files.delete(test.path + '\0' + (state.project ?? ''))
    this.liveFile = undefined
    this.liveState = undefined
  }

  values(): IterableIterator<FileState> {
    return this.files.values()
  }
}

/**
 * The test a start is about. jest.retryTimes runs failed tests again: a start of a failed test's
 * title is its retry where the file may retry, else another test of that title. (Two tests with
 * one title, the first failing and retried, can be confused here; their results, which carry the
 * attempt number, are not.)
 */
export function startedTest(state: FileState, test: Test, fullName: string): TestEntry {
  const list = entries(state, fullName)
  let entry: TestEntry | undefined
  for (const e of list)
    if (e.status === 'failed' && !e.retrying) {
      entry = e
      break
    }
  if (entry && !mayRetry(test)) entry = undefined
  if (entry) entry.retrying = true
  else
    list.push((entry = { id: jestTestId(state.file, fullName, list.length + 1), invocations: 0 }))
  state.starts.push(entry)
  return entry
}

/** The test a result is about (Jest reports each attempt; `invocations` counts them). */
export function resultTest(state: FileState, a: AssertionResult): TestEntry {
  const list = entries(state, a.fullName)
  const invocations = a.invocations ?? 1
  // The common case first: a test's only result.
  let entry =
    list.length === 1 && invocations === 1 && list[0]!.invocations === 0
      ? list[0]
      : ((invocations > 1
          ? list.find((e) => e.invocations === invocations - 1 && e.status === 'failed')
          : undefined) ?? list.find((e) => e.invocations === 0))
  if (!entry)
    list.push((entry = { id: jestTestId(state.file, a.fullName, list.length + 1), invocations: 0 }))
  return entry
}

/**
 * The results no live hook reported (skipped, todo, or a Jest without onTestCaseResult), each
 * checked as the one before it is reported.
 */
export function* unreported(state: FileState, results: AssertionResult[]) {
  const seen = new Map<string, number>()
  for (const a of results) {
    const n = (seen.get(a.fullName) ?? 0) + 1
    seen.set(a.fullName, n)
    if (!entries(state, a.fullName)[n - 1]?.status) yield a
  }
}

function entries(state: FileState, fullName: string): TestEntry[] {
  let list = state.tests.get(fullName)
  if (!list) state.tests.set(fullName, (list = []))
  return list
}

function displayName(name: Config.ProjectConfig['displayName']): string | undefined {
  if (!name) return undefined
  return typeof name === 'string' ? name : name.name
}
