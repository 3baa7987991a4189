/** CTRF (the cross-framework JSON test report), from a run as the exports see it. */
import type { TestStatus } from '@threepio/core'
import { fileLabel, fullName } from '../run-model/log-format.js'
import type { HistoryView } from '../run-model/insights.js'
import { newFailures } from '../run-model/run-json.js'
import { fileCase, historyOfTests, type ExportedRun } from './exported-run.js'

type CtrfStatus = 'passed' | 'failed' | 'skipped' | 'pending' | 'other'

const CTRF_STATUS: Record<TestStatus, CtrfStatus> = {
  passed: 'passed',
  failed: 'failed',
  error: 'failed',
  skipped: 'skipped',
  xfailed: 'skipped',
  todo: 'pending',
  xpassed: 'passed',
}

/** A CTRF report (specVersion 0.0.0), as the `ctrf` reference package validates it. */
export function ctrfReport(run: ExportedRun): Record<string, unknown> {
  const tests: Array<Record<string, unknown>> = []
  const summary = { tests: 0, passed: 0, failed: 0, skipped: 0, pending: 0, other: 0 }
  for (const f of run.files) {
    const history = historyOfTests(run, f)
    for (const t of f.tests) {
      const status = CTRF_STATUS[t.status]
      const place = history.get(t)
      summary.tests++
      summary[status]++
      tests.push({
        name: fullName(t),
        status,
        duration: Math.round(t.durationMs ?? 0),
        ...(t.status !== status ? { rawStatus: t.status } : {}),
        suite: [fileLabel(f), ...t.suite],
        filePath: f.file,
        ...(t.line !== undefined ? { line: t.line } : {}),
        ...(t.error ? { message: t.error.message } : t.reason ? { message: t.reason } : {}),
        ...(t.error?.stack ? { trace: t.error.stack } : {}),
        ...(t.attempts > 1 ? { retries: t.attempts - 1 } : {}),
        ...(t.flaky || place?.history === 'flaky' ? { flaky: true } : {}),
        ...(t.stdout
          ? { stdout: t.stdout.split('\n').filter((l, i, a) => l || i < a.length - 1) }
          : {}),
        ...(t.stderr
          ? { stderr: t.stderr.split('\n').filter((l, i, a) => l || i < a.length - 1) }
          : {}),
        extra: {
          id: t.id,
          ...(t.teardownError ? { teardownError: t.teardownError.message } : {}),
          ...(place ? { history: place.history } : {}),
        },
      })
    }
    if (fileCase(f)) {
      summary.tests++
      summary.failed++
      tests.push({
        name: `${fileLabel(f)} ${f.failedToLoad ? '(failed to load)' : '(outside any test)'}`,
        status: 'failed',
        duration: 0,
        rawStatus: 'error',
        suite: [fileLabel(f)],
        filePath: f.file,
        message: f.error?.message ?? 'the file failed to load',
        extra: { file: true },
        ...(f.error?.stack ? { trace: f.error.stack } : {}),
      })
    }
  }
  const start = Math.round(run.start?.time ?? 0)
  return {
    reportFormat: 'CTRF',
    specVersion: '0.0.0',
    ...(run.history ? { insights: insightsOf(run.history) } : {}),
    ...(run.start ? { timestamp: new Date(start).toISOString() } : {}),
    generatedBy: run.start
      ? `${run.start.reporter.name} ${run.start.reporter.version}`
      : 'threepio',
    results: {
      tool: {
        name: run.start?.runner.name ?? 'unknown',
        ...(run.start ? { version: run.start.runner.version } : {}),
      },
      summary: { ...summary, start, stop: start + Math.round(run.end?.durationMs ?? 0) },
      tests,
      extra: {
        ...(run.start ? { runId: run.start.runId } : {}),
        status: run.end?.status ?? 'incomplete',
        incomplete: run.incomplete,
      },
    },
  }
}

/** CTRF insights: the runs the history compared with, and what it found (in `extra`). */
function insightsOf(view: HistoryView): Record<string, unknown> {
  return {
    runsAnalyzed: view.runs,
    extra: {
      newFailures: newFailures(view) ?? 0,
      fixed: view.fixed.length,
      slower: view.slower.length,
    },
  }
}
