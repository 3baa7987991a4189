/**
 * @threepio/log-writer: writes threepio run directories — per-file logs, test-run.md, run.json —
 * from events, live or replayed, and records runs for in-process reporters. Folders: run-model/
 * (events → state → words), run-directory/ (the files on disk), reports/ (JUnit, CTRF, GitHub),
 * recording/ (a live run, in the runner's process or off its thread).
 */
export * from './run-model/log-format.js'
export * from './run-model/run-state.js'
export * from './run-model/run-json.js'
export * from './run-model/test-run-md.js'
export * from './run-directory/run-directory.js'
export * from './run-directory/replay.js'
export * from './run-directory/retention.js'
export * from './recording/recorder.js'
export * from './recording/run-recorder.js'
export { prepareRun, type PreparedRun } from './recording/prepare.js'
export * from './recording/exit-hooks.js'
export * from './run-directory/ingest.js'
export { progName } from './run-model/prog-name.js'
export * from './run-model/notes.js'
export * from './reports/export.js'
export * from './reports/github.js'
export * from './history/queries.js'
export { historyAtEnd, rebuildHistory } from './history/record-run.js'
export { HISTORY_RUNS, historyDirOf } from './history/history-dir.js'
export type { RunRecord } from './history/run-record.js'
export * from './run-model/insights.js'
export * from './session/session.js'
export { REPORT_HTML, reportHtml, embeddedJson } from './reports/html/report-html.js'
export { LiveReport } from './reports/html/live-report.js'
export { reportOfRun } from './reports/html/report-of-run.js'
