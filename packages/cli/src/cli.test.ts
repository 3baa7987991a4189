import { mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { createRunId } from '@threepio/core'
import { describe, expect, it } from 'vitest'
import { startChild } from '../../log-writer/test/helpers/child.js'
import {
  eventsOnlyCopy,
  FIXTURES,
  readTree,
  tempDir,
} from '../../log-writer/test/helpers/run-dir.js'
import {
  INGEST_MARKER,
  isRunLive,
  progName,
  pruneRuns,
  rebuildRun,
  RunRecorder,
} from '@threepio/log-writer'
import { main } from './main.js'
import { wantsColor, type CliIo } from './io.js'

const BIN = join(import.meta.dirname, '../bin/threepio.js')

async function cli(args: string[], cwd = tempDir(), more: Partial<CliIo> = {}) {
  let out = ''
  let err = ''
  const io: CliIo = { out: (t) => (out += t), err: (t) => (err += t), env: {}, cwd, ...more }
  const code = await main(args, io)
  return { code, out, err }
}

/** `threepio ingest <args>` in a process of its own; `exited` gives its exit code and stderr. */
function startIngest(args: string[]) {
  const proc = spawn(process.execPath, [BIN, 'ingest', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  proc.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise<{ code: number | null; stderr: string }>((r) =>
    proc.on('close', (code) => r({ code, stderr })),
  )
  return { proc, exited }
}

function recordRun(outputDir: string, status: 'passed' | 'failed' = 'failed'): RunRecorder {
  const r = RunRecorder.start({
    runner: { name: 'vitest', version: '3.2.4' },
    reporter: { name: 'x', version: '0' },
    rootDir: '/p',
    options: { outputDir, quiet: true },
    handleExit: false,
  })!
  r.emit({ type: 'file-start', file: 'a.test.ts' })
  r.emit({ type: 'test-end', file: 'a.test.ts', test: { id: 'a', name: 'a', suite: [] }, status })
  r.emit({
    type: 'file-end',
    file: 'a.test.ts',
  })
  r.end({ status })
  return r
}

describe('threepio command', () => {
  it('prints help for every command and exits 0', async () => {
    for (const cmd of ['ls', 'show', 'path', 'follow', 'report', 'clean', 'ingest']) {
      const { code, out } = await cli([cmd, '--help'])
      expect(code).toBe(0)
      expect(out).toContain(`Usage: npx --no threepio ${cmd}`)
      expect(await cli(['help', cmd])).toEqual({ code: 0, out, err: '' })
    }
    expect((await cli(['--help'])).out).toContain('Commands:')
    expect((await cli(['help'])).out).toContain('Commands:')
    expect((await cli(['--version'])).out).toMatch(/^\d+\.\d+\.\d+/)
    expect((await cli(['ls', '-v'])).out).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('names itself as the user runs it', async () => {
    // In a project (a reporter's bin, or a test run): its own bin, never the registry's `threepio`.
    expect(progName({}, '/app/node_modules/.bin/jest')).toBe('npx --no threepio')
    expect(progName({}, '/root/.npm/_npx/1a2b/node_modules/.bin/threepio')).toBe(
      'npx @threepio/cli',
    )
    expect(progName({ npm_config_user_agent: 'pnpm/10.34.9 npm/? node/v20.20.2 linux x64' })).toBe(
      'pnpm exec threepio',
    )
    expect(progName({ npm_config_user_agent: 'yarn/1.22.22 npm/? node/v20' })).toBe('yarn threepio')
    expect(progName({ THREEPIO_PROG: 'python -m pytest_threepio' })).toBe(
      'python -m pytest_threepio',
    )
    const { out } = await cli(['help', 'ls'], tempDir(), {
      env: { npm_config_user_agent: 'pnpm/10' },
    })
    expect(out).toContain('Usage: pnpm exec threepio ls')
  })

  it('takes global options anywhere and answers usage errors in its own words, on stderr, exit 2', async () => {
    const out = tempDir()
    const r = recordRun(out, 'passed')
    expect((await cli(['--dir', out, 'ls'])).out).toContain(r.runId)
    expect((await cli(['ls', `--dir=${out}`, '--json'])).out).toContain(r.runId)
    const none = await cli([])
    expect(none).toMatchObject({ code: 2, out: '' })
    expect(none.err).toContain('threepio: which command?')
    expect(none.err).toContain('Commands:')
    const typo = await cli(['ls', '--dri', out])
    expect(typo).toMatchObject({ code: 2, out: '' })
    expect(typo.err).toMatch(/^threepio: unknown option "--dri". Did you mean "--dir"\?\n/)
    expect(typo.err).toContain('Usage: npx --no threepio ls')
    const noValue = await cli(['show', '--dir', '--json'])
    expect(noValue.code).toBe(2)
    expect(noValue.err).toMatch(/^threepio: --dir needs a value: --dir <dir>\n/)
    expect(noValue.err).not.toContain('ambiguous')
    const cmdTypo = await cli(['shwo'])
    expect(cmdTypo.err).toMatch(/^threepio: unknown command "shwo". Did you mean "show"\?/)
    expect((await cli(['help', 'nope'])).code).toBe(2)
    expect((await cli(['--json=yes', 'ls'])).err).toContain('--json takes no value')
  })

  it('report on a folder that is not a run says what a run folder is', async () => {
    const out = tempDir()
    recordRun(out)
    const notRun = await cli(['report', tempDir()])
    expect(notRun.code).toBe(1)
    expect(notRun.err).toMatch(
      /is not a run directory\. A run directory is <output dir>\/runs\/<run-id>\/ and holds events\.jsonl/,
    )
    const outputDir = await cli(['report', out])
    expect(outputDir.err).toContain(`It looks like an output directory: pass it as --dir ${out}`)
    expect((await cli(['show', join(out, 'nope')])).err).toContain(
      `${join(out, 'nope')} does not exist`,
    )
  })

  it('path prints a run directory; runs/latest is the newest', async () => {
    const out = tempDir()
    recordRun(out, 'passed')
    const newest = recordRun(out, 'failed')
    const printed = await cli(['path', '--dir', out])
    expect(printed).toEqual({ code: 0, out: newest.paths.runDir + '\n', err: '' })
    expect(realpathSync(join(out, 'runs', 'latest'))).toBe(realpathSync(newest.paths.runDir))
  })

  it('follow --exit-status exits with the run status', async () => {
    const out = tempDir()
    const passed = recordRun(out, 'passed').paths.runDir
    const failed = recordRun(out, 'failed').paths.runDir
    expect((await cli(['follow', passed, '--exit-status'])).code).toBe(0)
    expect((await cli(['follow', failed, '--exit-status'])).code).toBe(1)
    expect((await cli(['follow', failed])).code).toBe(0)
  })

  it('colours status words only when asked, and NO_COLOR / FORCE_COLOR decide as elsewhere', async () => {
    const out = tempDir()
    recordRun(out, 'failed')
    const plain = await cli(['ls', '--dir', out])
    expect(plain.out).not.toContain('\x1b[')
    const coloured = await cli(['ls', '--dir', out], tempDir(), { color: true })
    expect(coloured.out).toContain('\x1b[31mFAILED')
    const tty = { isTTY: true, hasColors: () => true }
    expect(wantsColor(tty, {})).toBe(true)
    expect(wantsColor(tty, { NO_COLOR: '1' })).toBe(false)
    expect(wantsColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true)
    expect(wantsColor(tty, { FORCE_COLOR: '0' })).toBe(false)
    expect(wantsColor({ isTTY: false }, {})).toBe(false)
  })

  it('rejects bad usage with exit 2 and says what was expected', async () => {
    expect(await cli([])).toMatchObject({ code: 2 })
    const unknown = await cli(['frobnicate'])
    expect(unknown.code).toBe(2)
    expect(unknown.err).toContain('unknown command "frobnicate"')
    const badOption = await cli(['ls', '--bogus'])
    expect(badOption.code).toBe(2)
    expect(badOption.err).toContain('--bogus')
    const badKeep = await cli(['clean', '--keep', 'many'])
    expect(badKeep).toMatchObject({ code: 2 })
    expect(badKeep.err).toContain(
      '--keep must be a whole number >= 0 (0 keeps all); received "many"',
    )
    expect((await cli(['show', '--keep', '3'])).code).toBe(2)
  })

  it('reports a missing run with exit 1 and what exists', async () => {
    const out = tempDir()
    const none = await cli(['show', '--dir', out])
    expect(none.code).toBe(1)
    expect(none.err).toContain('no runs in')
    const r = recordRun(out)
    const missing = await cli(['show', 'nope', '--dir', out])
    expect(missing.code).toBe(1)
    expect(missing.err).toContain(`the newest is ${r.runId}`)
  })

  it('ls, show and show --json read the runs', async () => {
    const out = tempDir()
    const first = recordRun(out, 'passed')
    const second = recordRun(out, 'failed')
    const ls = await cli(['ls', '--dir', out])
    expect(ls.out.split('\n')[0]).toContain(second.runId)
    expect(ls.out).toContain('FAILED')
    const json = JSON.parse((await cli(['ls', '--json', '--dir', out])).out)
    expect(json.map((r: { runId: string }) => r.runId)).toEqual([second.runId, first.runId])
    expect((await cli(['show', '--dir', out])).out).toContain('# FAILED')
    expect((await cli(['show', first.runId.slice(0, 25), '--dir', out])).out).toContain('# PASSED')
    expect(JSON.parse((await cli(['show', '--json', '--dir', out])).out).status).toBe('FAILED')
  })

  it('ends quietly, status 0, when its reader goes away (threepio ls | head -1)', async () => {
    const out = tempDir()
    for (let i = 0; i < 3; i++) recordRun(out)
    for (const args of [['ls'], ['show'], ['show', '--json'], ['help']]) {
      const proc = spawn(process.execPath, [BIN, ...args, '--dir', out], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      proc.stdout.destroy() // the reader is gone before the first line
      let stderr = ''
      proc.stderr.on('data', (d) => (stderr += d))
      const code = await new Promise<number | null>((r) => proc.on('close', r))
      expect({ args, code, stderr }).toEqual({ args, code: 0, stderr: '' })
    }
  })

  it('ls and show tell a run whose writer is gone (or whose pid was reused) from a live one', async () => {
    const out = tempDir()
    const dead = spawn(process.execPath, ['-e', ''])
    await new Promise((r) => dead.on('exit', r))
    const runs = {
      dead: { pid: dead.pid, time: Date.now() - 1000 },
      // The pid is alive, but that process started a minute after the run did: another process.
      reused: { pid: process.pid, time: Date.now() - (process.uptime() + 60) * 1000 },
      live: { pid: process.pid, time: Date.now() },
    }
    const ids: Record<string, string> = {}
    Object.entries(runs).forEach(([name, start], i) => {
      const id = createRunId(new Date(Date.UTC(2001, 0, 1, 0, 0, i)))
      ids[name] = id
      const dir = join(out, 'runs', id)
      mkdirSync(dir, { recursive: true })
      writeFileSync(
        join(dir, 'events.jsonl'),
        JSON.stringify({ type: 'run-start', seq: 1, schema: 2, runId: id, ...start }) + '\n',
      )
      writeFileSync(join(dir, 'run.json'), JSON.stringify({ status: 'RUNNING' }))
      writeFileSync(join(dir, 'test-run.md'), '# RUNNING · vitest 3.2.4\n')
    })
    const listed = JSON.parse((await cli(['ls', '--json', '--dir', out])).out) as Array<{
      runId: string
      status: string
    }>
    const status = Object.fromEntries(listed.map((r) => [r.runId, r.status]))
    expect(status).toEqual({
      [ids.dead!]: 'INCOMPLETE',
      [ids.reused!]: 'INCOMPLETE',
      [ids.live!]: 'RUNNING',
    })
    const shown = await cli(['show', join(out, 'runs', ids.dead!)])
    expect(shown.err).toContain('this run is INCOMPLETE')
    expect(shown.err).toContain(`npx --no threepio report ${join(out, 'runs', ids.dead!)}`)
    expect((await cli(['show', join(out, 'runs', ids.live!)])).err).toBe('')
    await cli(['report', join(out, 'runs', ids.dead!)])
    const json = JSON.parse(readFileSync(join(out, 'runs', ids.dead!, 'run.json'), 'utf8'))
    expect(json.status).toBe('INCOMPLETE')
  })

  it('report rebuilds a truncated run as INCOMPLETE, counting the bad line', async () => {
    const runDir = join(tempDir(), 'run')
    mkdirSync(runDir)
    writeFileSync(
      join(runDir, 'events.jsonl'),
      readFileSync(join(FIXTURES, 'truncated', 'events.jsonl')),
    )
    const { code, out, err } = await cli(['report', runDir])
    expect(code).toBe(0)
    expect(out).toContain('INCOMPLETE')
    expect(err).toContain('skipped 1 unreadable line(s)')
    expect(readFileSync(join(runDir, 'test-run.md'), 'utf8')).toMatch(/^# INCOMPLETE/)
  })

  it('clean spares a finished run whose log writer (threepio ingest) is still at work', () => {
    const out = tempDir()
    const finishing = recordRun(out).runId
    for (let i = 0; i < 3; i++) recordRun(out)
    writeFileSync(join(out, 'runs', finishing, INGEST_MARKER), String(process.pid))
    expect(pruneRuns(out, 1)).not.toContain(finishing)
    writeFileSync(join(out, 'runs', finishing, INGEST_MARKER), '999999999') // gone
    expect(pruneRuns(out, 1)).toContain(finishing)
  })

  it('clean keeps the newest runs and spares a live one', async () => {
    const out = tempDir()
    const runs = Array.from({ length: 5 }, () => recordRun(out).runId)
    // An older run still being written by a live process (this one).
    const liveId = createRunId(new Date(Date.UTC(2000, 0, 1)))
    const liveDir = join(out, 'runs', liveId)
    mkdirSync(liveDir)
    writeFileSync(
      join(liveDir, 'events.jsonl'),
      JSON.stringify({ type: 'run-start', seq: 1, time: Date.now(), pid: process.pid }) + '\n',
    )
    const { code, out: text } = await cli(['clean', '--keep', '2', '--dir', out])
    expect(code).toBe(0)
    expect(text).toContain('deleted 3 run(s)')
    const left = JSON.parse((await cli(['ls', '--json', '--dir', out])).out).map(
      (r: { runId: string }) => r.runId,
    )
    expect(left).toEqual([runs[4], runs[3], liveId])
    expect(pruneRuns(out, 0)).toEqual([]) // 0 keeps all
  })

  it('ingest follows a run written by another process until run-end', async () => {
    const runDir = tempDir()
    const child = startChild(['writer', runDir, '300', '3'])
    const ingest = startIngest([runDir])
    expect((await child.exited).code).toBe(0)
    expect(await ingest.exited).toEqual({ code: 0, stderr: '' })
    const live = readTree(runDir)
    expect(JSON.parse(live.get('run.json')!.toString())).toMatchObject({
      status: 'FAILED',
      counts: { total: 900 },
    })
    const copy = eventsOnlyCopy(runDir)
    rebuildRun(copy)
    const truth = readTree(copy)
    expect([...live.keys()]).toEqual([...truth.keys()])
    for (const [p, b] of truth) expect(live.get(p)?.toString(), p).toBe(b.toString())
  })

  it('ingest of a run directory deleted before it looked waits for the live writer to recreate it', async () => {
    const runDir = join(tempDir(), 'gone', 'run')
    const child = startChild(['writer', runDir, '50', '3'], { shell: `sleep 0.3` })
    const ingest = startIngest([runDir, '--pid', String(child.proc.pid)])
    expect((await child.exited).code).toBe(0)
    expect(await ingest.exited).toEqual({ code: 0, stderr: '' })
    expect(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')).counts.total).toBe(150)
  })

  it('ingest leaves the run spared for its live writer, which reads the summary after it', async () => {
    const out = tempDir()
    const runId = createRunId()
    const runDir = join(out, 'runs', runId)
    mkdirSync(runDir, { recursive: true })
    const start = {
      type: 'run-start',
      seq: 1,
      time: Date.now(),
      schema: 2,
      runId,
      pid: process.pid,
    }
    const end = { type: 'run-end', seq: 2, time: Date.now(), status: 'passed', durationMs: 1 }
    writeFileSync(
      join(runDir, 'events.jsonl'),
      [start, end].map((e) => JSON.stringify(e) + '\n').join(''),
    )
    const ingest = startIngest([runDir, '--pid', String(process.pid)])
    expect(await ingest.exited).toEqual({ code: 0, stderr: '' })
    expect(readFileSync(join(runDir, INGEST_MARKER), 'utf8')).toBe(String(process.pid))
    expect(isRunLive(runDir)).toBe(true) // finished, but its writer has not printed its line yet
    rmSync(join(runDir, INGEST_MARKER))
    expect(isRunLive(runDir)).toBe(false)
  })

  it('ingest finalises as INCOMPLETE when the writer dies without run-end', async () => {
    const runDir = tempDir()
    const child = startChild(['writer', runDir, '1000000', '3'])
    await child.progress(1)
    const ingest = startIngest([runDir])
    await child.progress(50)
    child.proc.kill('SIGKILL')
    await child.exited
    expect((await ingest.exited).code).toBe(0)
    const summary = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'))
    expect(summary.status).toBe('INCOMPLETE')
    expect(summary.files.total).toBeGreaterThanOrEqual(50)
  })
})
