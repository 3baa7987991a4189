/// <reference lib="dom" />
/** The shapes report.html's code works with (types only: nothing of this reaches the page). */
export interface PageFile {
  file: string
  project?: string
  mode?: string
  status: string
  log: string
  error?: string
  names: string[]
  statuses: string
  durations: Record<number, number>
  marks: Record<number, string>
}

export interface PageFailure {
  file: string
  project?: string
  test?: string
  status: string
  message: string
  line?: number
  rerun?: string
  log: string
  cause?: number
  history?: string
}

export interface PageRun {
  status: string
  headline: string
  runner: { name: string; version: string } | null
  command: string[]
  runId: string
  startedAt: string
  durationMs: number
  failures: PageFailure[]
  failuresTotal: number
  causes: Array<{ signature: string; count: number; files: number }>
  causesTotal: number
  history?: { runs: number; newFailures?: number; fixed?: unknown[]; flaky?: unknown[] }
}

export interface PageChartRun {
  runId: string
  time: number
  status: string
  durationMs: number
  passed: number
  failed: number
}

export interface PageData {
  run: PageRun
  files: PageFile[]
  chart: PageChartRun[]
  failureLogs: string[]
}

/** The page as it stands: its data, its elements, and the list's filters and rows. */
export interface PageState extends PageData {
  head: HTMLElement
  failures: HTMLElement
  heading: HTMLElement
  chips: HTMLElement
  shown: HTMLElement
  search: HTMLInputElement
  viewport: HTMLElement
  spacer: HTMLElement
  list: HTMLElement
  /** Every test as [file index, test index], and the ones the filters let through. */
  rows: Array<[number, number]>
  visible: Int32Array
  /** Status letters and history marks the reader picked. */
  chosen: Set<string>
  marked: Set<string>
}
