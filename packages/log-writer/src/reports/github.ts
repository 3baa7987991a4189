/**
 * GitHub Actions: an `::error` annotation for each failing test (on the diff, at file:line) and
 * test-run.md appended to the job's step summary. On when `GITHUB_ACTIONS=true`; the
 * `githubAnnotations` and `githubSummary` options turn each off. The same for every runner: the
 * Jest and Vitest reporters call it at run end, the pytest plugin through `threepio github`.
 */
import { appendFileSync } from 'node:fs'
import { isAbsolute, join, relative, sep } from 'node:path'
import type { RunSummaryJson } from '../run-model/run-json.js'

/** Annotations per run: GitHub shows 10 error annotations per step and 50 per job. */
export const MAX_ANNOTATIONS = 10
/** Bytes of test-run.md put into the step summary (GitHub takes up to 1 MiB per step). */
export const MAX_STEP_SUMMARY_BYTES = 64 * 1024

/** Whether this process runs in a GitHub Actions job. */
export function onGitHubActions(env: Record<string, string | undefined>): boolean {
  return env.GITHUB_ACTIONS === 'true'
}

/** A workflow command's message: `%`, CR and LF escaped. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** A workflow command's property value: as data, plus `:` and `,`. */
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

/** The file as GitHub names it: relative to the workspace (the repository checkout). */
function workspacePath(
  rootDir: string | null,
  file: string,
  workspace: string | undefined,
): string {
  const abs = isAbsolute(file) ? file : join(rootDir ?? '', file)
  if (!workspace) return file
  const rel = relative(workspace, abs)
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel.split(sep).join('/')
}

/** ` (new)`, ` (known for 3 runs)`, ` (flaky)`: where the failure stands in history. */
function historyNote(f: RunSummaryJson['failures'][number]): string {
  if (f.history === 'known') return ` (known${f.failedRuns ? ` for ${f.failedRuns} runs` : ''})`
  if (f.history === 'first') return ' (new test)'
  return f.history ? ` (${f.history})` : ''
}

/** `::error` lines for the run's failures, at most {@link MAX_ANNOTATIONS} (and one saying so). */
export function githubAnnotations(
  summary: RunSummaryJson,
  env: Record<string, string | undefined>,
): string[] {
  const lines: string[] = []
  for (const f of summary.failures.slice(0, MAX_ANNOTATIONS)) {
    const file = workspacePath(summary.rootDir, f.file, env.GITHUB_WORKSPACE)
    const title =
      (f.test !== undefined
        ? `${f.test}${f.teardown ? ' (error in teardown)' : ''}`
        : `${f.file} ${f.status === 'error' ? 'failed to load' : 'failed'}`) +
      (summary.history?.runs ? historyNote(f) : '')
    const message = [f.message || f.status, ...(f.rerun ? ['', `Rerun: ${f.rerun}`] : [])].join(
      '\n',
    )
    const props = [
      `file=${escapeProperty(file)}`,
      ...(f.line !== undefined ? [`line=${f.line}`] : []),
      `title=${escapeProperty(title)}`,
    ]
    lines.push(`::error ${props.join(',')}::${escapeData(message)}`)
  }
  const more = summary.failuresTotal - Math.min(summary.failures.length, MAX_ANNOTATIONS)
  if (more > 0)
    lines.push(
      `::notice title=threepio::${escapeData(`${more} more failure(s) without an annotation; the step summary and test-run.md list them`)}`,
    )
  return lines
}

export interface GitHubReport {
  summary: RunSummaryJson
  markdown: string
  env: Record<string, string | undefined>
  annotations: boolean
  stepSummary: boolean
  /** Where annotation lines go (the reporters: stderr, as Jest's own github-actions reporter). */
  write: (text: string) => void
}

/** Annotates and appends the step summary, as asked. Throws on a file error (callers guard). */
export function reportToGitHub(r: GitHubReport): void {
  if (!onGitHubActions(r.env)) return
  if (r.annotations) {
    const lines = githubAnnotations(r.summary, r.env)
    if (lines.length) r.write(lines.join('\n') + '\n')
  }
  const file = r.env.GITHUB_STEP_SUMMARY
  if (r.stepSummary && file) {
    let md = r.markdown
    if (Buffer.byteLength(md) > MAX_STEP_SUMMARY_BYTES) {
      md =
        Buffer.from(md)
          .subarray(0, MAX_STEP_SUMMARY_BYTES)
          .toString('utf8')
          .replace(/\uFFFD$/, '') + '\n\n… (cut: test-run.md has the rest)\n'
    }
    appendFileSync(file, md.endsWith('\n') ? md : md + '\n')
  }
}
