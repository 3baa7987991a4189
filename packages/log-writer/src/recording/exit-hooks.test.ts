import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const DIST = join(import.meta.dirname, '../../dist/index.js')

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

/**
 * Runs a script in a child Node whose stderr pipe is full when it exits: the script fills it
 * (until a write would block) and calls `done()` from an 'exit' listener; only then does this
 * side start reading, `readAfterMs` later (a reader that is behind). Returns what reached
 * stderr after the filling.
 */
async function exitWithFullStderr(script: string, readAfterMs = 0): Promise<string> {
  const code = `
    import { writeSync } from 'node:fs'
    const dist = await import(${JSON.stringify(DIST)})
    process.stderr // opened like a framework's: non-blocking
    const chunk = Buffer.alloc(4096, 120)
    let filled = 0
    for (;;) {
      try { filled += writeSync(2, chunk) } catch (err) { if (err.code === 'EAGAIN') break; throw err }
    }
    const done = () => writeSync(1, String(filled))
    ${script}
  `
  const proc = spawn(process.execPath, ['--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // Paused before anything is read; the listener is attached at once all the same: a child that
  // exits while its stderr has no 'data' listener has it drained and discarded by Node.
  const chunks: Buffer[] = []
  proc.stderr.pause()
  proc.stderr.on('data', (d: Buffer) => chunks.push(d))
  let stdout = ''
  const closed = new Promise((resolve) => proc.on('close', resolve))
  // Until the child said it is exiting (or ended without saying so: then nothing is read late).
  await new Promise<void>((resolve) => {
    proc.stdout.on('data', (d) => {
      stdout += d
      resolve()
    })
    void closed.then(() => resolve())
  })
  if (readAfterMs) await new Promise((resolve) => setTimeout(resolve, readAfterMs))
  proc.stderr.resume()
  await closed
  return Buffer.concat(chunks).subarray(Number(stdout)).toString('utf8')
}

describe('at exit, with stderr a pipe its reader has not caught up with', () => {
  it('writeStderrNow waits for room instead of leaving the text queued and dropped', async () => {
    const rest = await exitWithFullStderr(`
      process.on('exit', () => { done(); dist.writeStderrNow('threepio: closing line\\n') })
    `)
    expect(rest).toBe('threepio: closing line\n')
  })

  it('the closing line printed at exit arrives', async () => {
    const outputDir = mkdtempSync(join(tmpdir(), 'threepio-exit-'))
    const rest = await exitWithFullStderr(`
      const r = dist.RunRecorder.start({
        runner: { name: 'jest', version: '30.0.0' },
        reporter: { name: 'x', version: '0' },
        rootDir: ${JSON.stringify(outputDir)},
        options: { outputDir: ${JSON.stringify(outputDir)} },
        handleExit: false,
      })
      r.end({ status: 'passed' })
      process.prependListener('exit', done)
    `)
    rmSync(outputDir, { recursive: true, force: true })
    expect(rest).toMatch(/^threepio: PASSED · no tests · .*test-run\.md\n$/)
  })

  it('a warning while the run is finished at exit arrives, and the closing line after it', async () => {
    const outputDir = mkdtempSync(join(tmpdir(), 'threepio-exit-'))
    // The process exits without the run's end: the exit hook finishes it, and the JUnit
    // export, asked for under a path that is not a directory, fails then.
    const rest = await exitWithFullStderr(
      `
      dist.RunRecorder.start({
        runner: { name: 'jest', version: '30.0.0' },
        reporter: { name: 'x', version: '0' },
        rootDir: ${JSON.stringify(outputDir)},
        options: { outputDir: ${JSON.stringify(outputDir)}, junit: '/dev/null/junit.xml' },
      })
      process.prependListener('exit', done)
    `,
      500,
    )
    rmSync(outputDir, { recursive: true, force: true })
    const lines = rest.split('\n')
    expect(lines[0]).toMatch(
      /^threepio: warning: could not write the junit export .*\/dev\/null\/junit\.xml/,
    )
    expect(lines[1]).toMatch(/^threepio: INTERRUPTED · /)
    expect(lines.slice(2)).toEqual([''])
  })
})
