import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../test/helpers/run-dir.js'
import { githubAnnotations, MAX_STEP_SUMMARY_BYTES, reportToGitHub } from './github.js'
import type { RunSummaryJson } from '../run-model/run-json.js'

function summary(failures: RunSummaryJson['failures'], total = failures.length): RunSummaryJson {
  return { rootDir: '/work/repo/app', failures, failuresTotal: total } as RunSummaryJson
}

const failure = {
  file: 'src/a.test.ts',
  test: 'math > adds, 100%: ok',
  status: 'failed',
  message: 'expected 1 to be 2\n- Expected\n+ Received',
  line: 12,
  rerun: "npx vitest run src/a.test.ts -t 'math adds'",
  log: 'logs/src/a.test.ts.log',
}

describe('GitHub Actions annotations', () => {
  it('gives file (relative to the workspace), line, title and message, escaped', () => {
    const [line] = githubAnnotations(summary([failure]), { GITHUB_WORKSPACE: '/work/repo' })
    expect(line).toBe(
      "::error file=app/src/a.test.ts,line=12,title=math > adds%2C 100%25%3A ok::expected 1 to be 2%0A- Expected%0A+ Received%0A%0ARerun: npx vitest run src/a.test.ts -t 'math adds'",
    )
  })

  it('stops at 10 and says how many more', () => {
    const many = Array.from({ length: 14 }, (_, i) => ({ ...failure, line: i + 1 }))
    const lines = githubAnnotations(summary(many, 40), {})
    expect(lines.filter((l) => l.startsWith('::error '))).toHaveLength(10)
    expect(lines.at(-1)).toBe(
      '::notice title=threepio::30 more failure(s) without an annotation; the step summary and test-run.md list them',
    )
  })

  it('does nothing outside GitHub Actions, and each part can be turned off', () => {
    const dir = tempDir()
    const file = join(dir, 'summary.md')
    writeFileSync(file, '')
    let written = ''
    const base = {
      summary: summary([failure]),
      markdown: '# FAILED · vitest 3.2.4\n',
      write: (t: string) => void (written += t),
    }
    reportToGitHub({
      ...base,
      env: { GITHUB_STEP_SUMMARY: file },
      annotations: true,
      stepSummary: true,
    })
    expect([written, readFileSync(file, 'utf8')]).toEqual(['', ''])
    const env = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: file }
    reportToGitHub({ ...base, env, annotations: false, stepSummary: true })
    expect([written, readFileSync(file, 'utf8')]).toEqual(['', '# FAILED · vitest 3.2.4\n'])
    reportToGitHub({ ...base, env, annotations: true, stepSummary: false })
    expect(written).toMatch(/^::error file=src\/a\.test\.ts,line=12,/)
    expect(readFileSync(file, 'utf8')).toBe('# FAILED · vitest 3.2.4\n')
  })

  it('bounds what goes into the step summary', () => {
    const file = join(tempDir(), 'summary.md')
    reportToGitHub({
      summary: summary([]),
      markdown: 'x'.repeat(MAX_STEP_SUMMARY_BYTES * 2),
      env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: file },
      annotations: true,
      stepSummary: true,
      write: () => {},
    })
    const text = readFileSync(file, 'utf8')
    expect(Buffer.byteLength(text)).toBeLessThan(MAX_STEP_SUMMARY_BYTES + 100)
    expect(text).toMatch(/… \(cut: test-run\.md has the rest\)\n$/)
  })
})
