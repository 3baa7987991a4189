import { createHash } from 'node:crypto'
import { cpSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FIXTURES, tempDir } from '../../../test/helpers/run-dir.js'
import { rebuildRun } from '../../run-directory/replay.js'
import { embeddedJson } from './report-html.js'

function rebuiltPage(fixture: string): string {
  const runDir = join(tempDir(), 'run')
  mkdirSync(runDir)
  cpSync(join(FIXTURES, fixture, 'events.jsonl'), join(runDir, 'events.jsonl'))
  rebuildRun(runDir)
  return readFileSync(join(runDir, 'report.html'), 'utf8')
}

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`

describe('report.html', () => {
  it('keeps any string inside its data: no name can close the script element', () => {
    const hostile = ['</script><script>alert(1)</script>', '<!--', '\u2028', '<img onerror=x>']
    const json = embeddedJson({ names: hostile })
    expect(json).not.toMatch(/[<\u2028\u2029]/)
    expect(JSON.parse(json)).toEqual({ names: hostile })
  })

  it('on hostile names: one script and one style, each allowed by its hash, and nothing else', () => {
    const html = rebuiltPage('hostile-names')
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!)
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!)
    expect(scripts).toHaveLength(1)
    expect(styles).toHaveLength(1)
    const policy = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)![1]!
    expect(policy).toBe(
      `default-src 'none'; script-src ${hash(scripts[0]!)}; style-src ${hash(styles[0]!)}; img-src 'none'; base-uri 'none'; form-action 'none'`,
    )
    // The data is the one other script element, not executable, and parses back whole.
    const data = /<script type="application\/json" id="threepio-data">([^<]*)<\/script>/.exec(html)
    const parsed = JSON.parse(data![1]!) as { files: Array<{ names: string[] }> }
    expect(parsed.files.flatMap((f) => f.names)).toContain(
      'name with\nnewline and `backticks` | pipes ' + 'y'.repeat(50),
    )
    expect(html.match(/<script/g)).toHaveLength(2)
  })
})
