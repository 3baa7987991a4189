import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const DIST = join(import.meta.dirname, '../dist/index.js')

/** Runs a script in a child Node with onProcessEnd installed; returns what it printed. */
function child(script: string) {
  const code = `
    const { onProcessEnd } = await import(${JSON.stringify(DIST)})
    ${script}
  `
  return spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' })
}

describe('onProcessEnd', () => {
  it('runs even when an earlier exit listener calls process.exit() again (Vitest 3 does)', () => {
    const r = child(`
      process.once('exit', () => process.exit())
      onProcessEnd(({ code }) => process.stdout.write('ended with ' + code))
      process.exitCode = 1
      process.exit()
    `)
    expect(r.stdout).toBe('ended with 1')
    expect(r.status).toBe(1)
  })

  it('leaves the exit code alone on a normal exit', () => {
    const r = child(`onProcessEnd(() => process.stdout.write('ended')); process.exitCode = 3`)
    expect([r.stdout, r.status]).toEqual(['ended', 3])
  })
})
