/// <reference lib="dom" />
/** The shapes report.html's code works with (types only: nothing of this reaches the page). */
import type { ReportData, ReportFile } from './report-data.js'

export type PageData = ReportData
export type PageFile = ReportFile
export type PageFailure = ReportData['run']['failures'][number]

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
