import { mkdirSync, readFileSync, readlinkSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../../log-writer/test/helpers/run-dir.js'
import { parseRunLine } from '../command-line.js'
import { main } from '../main.js'
import type { CliIo } from '../io.js'
import { sessionEnvironment } from './environment.js'
import { isThreepio } from './hook-jest.js'

async function cli(args: string[], cwd = tempDir(), env: CliIo['env'] = {}) {
  let out = ''
  let err = ''
  const io: CliIo = { out: (t) => (out += t), err: (t) => (err += t), env, cwd }
  const code = await main(args, io)
  return { code, out, err, cwd }
}

describe('threepio run: its command line', () => {
  it('takes its own options first; the command starts after -- or at the first other word', () => {
    expect(parseRunLine(['run', '--dir', 'x', '--', 'npm', 'test', '--dir', 'y'])).toEqual({
      positionals: ['run', 'npm', 'test', '--dir', 'y'],
      values: { dir: 'x' },
    })
    expect(parseRunLine(['run', 'jest', '--ci', '-h'])).toEqual({
      positionals: ['run', 'jest', '--ci', '-h'],
      values: {},
    })
    expect(() => parseRunLine(['run', '--ci', 'jest'])).toThrow(
      'unknown option "--ci" for run; the command goes after --',
    )
  })

  it('without a command: a usage error', async () => {
    const r = await cli(['run', '--'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/^threepio: run needs a command: .* run -- npm test\n/)
  })

  it("ends with the command's exit status and the session's closing line", async () => {
    const cwd = tempDir()
    const r = await cli(['run', '--', process.execPath, '-e', 'process.exit(3)'], cwd)
    expect(r.code).toBe(3)
    const [, id] = /sessions\/(\S+)\/output\.log\n$/.exec(r.err) ?? []
    expect(r.err).toBe(
      `threepio: no Jest, Vitest or pytest run was seen · exit status 3 · .3pio/sessions/${id}/output.log\n`,
    )
    const session = JSON.parse(
      readFileSync(join(cwd, '.3pio/sessions', id!, 'session.json'), 'utf8'),
    )
    expect(session).toMatchObject({ status: 'FAILED', exitCode: 3, signal: null, runs: [] })
    const show = await cli(['show', 'session'], cwd)
    expect(show.out).toMatch(/^# threepio session: FAILED\n/)
  })

  it('a command that cannot start: exit 127, as a shell says it', async () => {
    const r = await cli(['run', '--', 'threepio-no-such-command'])
    expect(r.code).toBe(127)
    expect(r.err).toContain(
      'threepio: could not start threepio-no-such-command: not found (is it on PATH?)',
    )
  })
})

describe('threepio run: what the session lends', () => {
  it("puts its pieces before the user's own, and names the session", () => {
    const session = tempDir()
    const pkg = join(tempDir(), 'pytest_threepio')
    mkdirSync(pkg)
    const env = sessionEnvironment(
      { NODE_OPTIONS: '--max-old-space-size=4096', PYTHONPATH: '/mine', PYTEST_PLUGINS: 'xdist' },
      session,
      { preload: 'file:///cli/dist/preload.js', python: pkg, logWriter: '/cli/bin/threepio.js' },
    )
    expect(env.NODE_OPTIONS).toBe('--import=file:///cli/dist/preload.js --max-old-space-size=4096')
    expect(env.PYTHONPATH).toBe(`${join(session, 'python')}${delimiter}/mine`)
    expect(env.PYTEST_PLUGINS).toBe('pytest_threepio.session_plugin,xdist')
    expect(env.THREEPIO_SESSION).toBe(session)
    expect(env.THREEPIO_LOG_WRITER).toBe('/cli/bin/threepio.js')
    expect(env.THREEPIO_NODE).toBe(process.execPath)
    expect(env.THREEPIO_PROG).toBe('npx --no threepio') // how hints name the command
    expect(readlinkSync(join(session, 'python', 'pytest_threepio'))).toBe(pkg)
    // tox passes these on; a TOX_OVERRIDE of the user's own is left alone.
    expect(env.TOX_OVERRIDE).toBe(
      'testenv.pass_env+=THREEPIO_*,NODE_OPTIONS,PYTHONPATH,PYTEST_PLUGINS',
    )
    expect(sessionEnvironment({ TOX_OVERRIDE: 'mine' }, session, {}).TOX_OVERRIDE).toBe('mine')
  })

  it('knows a Jest reporter entry that is threepio, by package name or installed path', () => {
    expect(isThreepio('@threepio/jest-reporter')).toBe(true)
    expect(isThreepio('/p/node_modules/@threepio/jest-reporter/dist/index.cjs')).toBe(true)
    expect(isThreepio('default')).toBe(false)
    expect(isThreepio('/p/node_modules/jest-reporter-threepio/index.js')).toBe(false)
  })
})
