import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeEvents } from '@threepio/core'
import { validate } from 'ctrf'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { FIXTURES } from '../../test/helpers/run-dir.js'
import { ctrfReport, exportedRun, junitXml } from './export.js'
import { summaryJson } from '../run-model/run-json.js'
import { RunState } from '../run-model/run-state.js'

const streams = ['passing', 'failing', 'facts', 'hostile-names', 'interrupted', 'truncated']

function runOf(name: string) {
  const bytes = readFileSync(join(FIXTURES, name, 'events.jsonl'))
  return exportedRun(decodeEvents(bytes).events)
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (n) => ['testsuite', 'testcase', 'property'].includes(n),
})

describe('exports', () => {
  it.each(streams)('%s: JUnit XML is well-formed and its counts add up', (name) => {
    const xml = junitXml(runOf(name))
    expect(XMLValidator.validate(xml)).toBe(true)
    const doc = parser.parse(xml).testsuites
    const suites = doc.testsuite ?? []
    let tests = 0
    let failures = 0
    for (const s of suites) {
      const cases = s.testcase ?? []
      expect(cases.length).toBe(Number(s.tests))
      tests += cases.length
      failures += cases.filter((c: Record<string, unknown>) => c.failure !== undefined).length
      expect(failures).toBeLessThanOrEqual(tests)
    }
    expect(Number(doc.tests)).toBe(tests)
    expect(Number(doc.failures)).toBe(failures)
  })

  it.each(streams)('%s: CTRF validates with the reference implementation', (name) => {
    const report = ctrfReport(runOf(name))
    const result = validate(report)
    expect(result.errors).toEqual([])
    expect(result.valid).toBe(true)
  })

  it('counts what run.json counts: failed tests are failures, skips skipped, failed loads errors', () => {
    const run = runOf('failing')
    const doc = parser.parse(junitXml(run)).testsuites
    const state = new RunState()
    for (const e of decodeEvents(readFileSync(join(FIXTURES, 'failing', 'events.jsonl'))).events)
      state.apply(e)
    const json = summaryJson(state)
    expect(Number(doc.failures)).toBe(json.counts.failed)
    expect(Number(doc.skipped)).toBe(json.counts.skipped + json.counts.todo + json.counts.xfailed)
    expect(Number(doc.errors)).toBe(json.counts.error + json.teardownErrors + json.files.error)
    const ctrf = ctrfReport(run) as { results: { summary: Record<string, number> } }
    expect(ctrf.results.summary.failed).toBe(
      json.counts.failed + json.counts.error + json.files.error,
    )
  })

  it('marks a run without run-end incomplete', () => {
    const xml = junitXml(runOf('truncated'))
    expect(xml).toContain('name="threepio.incomplete"')
    const ctrf = ctrfReport(runOf('truncated')) as { results: { extra: { incomplete: boolean } } }
    expect(ctrf.results.extra.incomplete).toBe(true)
    expect(junitXml(runOf('passing'))).not.toContain('threepio.incomplete')
  })

  it('keeps hostile names and output as XML text', () => {
    const xml = junitXml(runOf('hostile-names'))
    expect(XMLValidator.validate(xml)).toBe(true)
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/)
  })

  it('leaves terminal colours out of JUnit and CTRF (a diff coloured by Vitest)', () => {
    const green = '\u001b[32m'
    const reset = '\u001b[39m'
    const events = decodeEvents(
      Buffer.from(
        [
          { type: 'file-start', file: 'a.test.ts' },
          {
            type: 'test-end',
            file: 'a.test.ts',
            test: { id: 'a', name: `${green}named${reset}`, suite: [] },
            status: 'failed',
            error: { message: `expected ${green}1${reset}`, diff: `${green}- 1${reset}` },
          },
          { type: 'output', file: 'a.test.ts', testId: 'a', stream: 'stdout', text: `${green}out` },
          { type: 'file-end', file: 'a.test.ts' },
        ]
          .map((e, i) => JSON.stringify({ ...e, seq: i + 1, time: 1 }))
          .join('\n') + '\n',
      ),
    ).events
    const run = exportedRun(events)
    for (const text of [junitXml(run), JSON.stringify(ctrfReport(run))]) {
      expect(text).toContain('expected 1')
      for (const bad of ['\u001b', '\\u001b', '\uFFFD', '[32m']) expect(text).not.toContain(bad)
    }
  })

  it('reads back names, messages and output exactly as they were written', () => {
    const run = runOf('passing')
    const file = run.files[0]!
    const name = 'a &amp; b < c > d "quoted" \'single\'\ttab\nnew line\r\nCRLF'
    const output = 'out &lt; <tag> & ]]> "q"\r\nlast'
    file.tests[0] = {
      ...file.tests[0]!,
      name,
      status: 'failed',
      error: { message: `${name} failed` },
      stdout: output,
    }
    const xml = junitXml(run)
    expect(XMLValidator.validate(xml)).toBe(true)
    const doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      trimValues: false,
      htmlEntities: true,
      isArray: (n) => ['testsuite', 'testcase'].includes(n),
    }).parse(xml).testsuites
    const tc = doc.testsuite[0].testcase[0]
    expect(tc.name).toBe(name)
    expect(tc.failure.message).toBe('a &amp; b < c > d "quoted" \'single\'\ttab')
    expect(tc['system-out']).toBe(output)
  })
})
