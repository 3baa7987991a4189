import { cpSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FIXTURES, readTree, tempDir } from '../../test/helpers/run-dir.js'
import { rebuildRun } from './replay.js'

const streams = readdirSync(FIXTURES).filter((name) => !name.startsWith('.'))

describe('golden run directories from hand-written event streams', () => {
  it.each(streams)('%s', async (name) => {
    const runDir = join(tempDir(), 'run')
    mkdirSync(runDir)
    cpSync(join(FIXTURES, name, 'events.jsonl'), join(runDir, 'events.jsonl'))
    rebuildRun(runDir)
    const tree = readTree(runDir)
    tree.delete('events.jsonl')
    const expected = join(FIXTURES, name, 'expected')
    await expect([...tree.keys()].join('\n') + '\n').toMatchFileSnapshot(join(expected, 'FILES'))
    for (const [path, bytes] of tree) {
      // The page is its code and the run's data, checked on its own (report-html.test.ts).
      if (path === 'report.html') continue
      await expect(bytes.toString('utf8')).toMatchFileSnapshot(join(expected, path))
    }
  })
})
