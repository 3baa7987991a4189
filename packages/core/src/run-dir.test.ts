import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createRunDirectory,
  createRunId,
  logFilePath,
  readLatest,
  RUN_ID_PATTERN,
} from './run-dir.js'
import { writeLatest } from './run-dir-files.js'

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'threepio-rundir-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('run ids and directories', () => {
  it('formats the UTC start time and 8 hex digits', () => {
    const id = createRunId(new Date(Date.UTC(2026, 10, 22, 3, 10, 0)), '1a2b3c4d')
    expect(id).toBe('2026-11-22_03-10-00_1a2b3c4d')
    expect(RUN_ID_PATTERN.test(createRunId())).toBe(true)
  })

  it('sorts by start time', () => {
    const a = createRunId(new Date(Date.UTC(2026, 0, 2, 9, 59, 59)), 'ffffffff')
    const b = createRunId(new Date(Date.UTC(2026, 0, 2, 10, 0, 0)), '00000000')
    expect([b, a].sort()).toEqual([a, b])
  })

  it('creates distinct directories for runs started in the same millisecond', () => {
    const out = tempDir()
    const now = new Date()
    const ids = Array.from({ length: 500 }, () => createRunDirectory(out, now).runId)
    expect(new Set(ids).size).toBe(500)
    expect(readdirSync(join(out, 'runs'))).toHaveLength(500)
  })

  it('replaces latest atomically and reads it back', () => {
    const out = tempDir()
    expect(readLatest(out)).toBeUndefined()
    const { runId } = createRunDirectory(out)
    writeLatest(out, runId)
    expect(readFileSync(join(out, 'latest'), 'utf8')).toBe(runId + '\n')
    expect(readLatest(out)).toBe(runId)
    // no temporary file left behind
    expect(readdirSync(out).sort()).toEqual(['.gitignore', 'latest', 'runs'])
    // runs/latest is the newest run directory, a fixed path for CI
    const second = createRunDirectory(out).runId
    writeLatest(out, second)
    expect(readlinkSync(join(out, 'runs', 'latest'))).toBe(second)
    expect(realpathSync(join(out, 'runs', 'latest'))).toBe(realpathSync(join(out, 'runs', second)))
    expect(readdirSync(join(out, 'runs')).sort()).toEqual([runId, second, 'latest'].sort())
  })

  it('keeps the output directory out of git, without touching a .gitignore already there', () => {
    const out = tempDir()
    createRunDirectory(out)
    expect(readFileSync(join(out, '.gitignore'), 'utf8')).toMatch(/^# Created by threepio.*\n\*\n$/)
    const own = tempDir()
    writeFileSync(join(own, '.gitignore'), '!keep-me\n')
    createRunDirectory(own)
    expect(readFileSync(join(own, '.gitignore'), 'utf8')).toBe('!keep-me\n')
  })

  it('maps a test file to its log inside the run directory', () => {
    expect(logFilePath('/r/run', 'src/a.test.ts')).toBe('/r/run/logs/src/a.test.ts.log')
    expect(logFilePath('/r/run', '../x.test.ts')).toBe('/r/run/logs/%2E%2E/x.test.ts.log')
  })
})

describe('createRunDirectory on a read-only file system', () => {
  // Mounting one takes root on Linux (as CI has); elsewhere there is none to test on.
  const root = process.platform === 'linux' && process.getuid?.() === 0
  it.skipIf(!root)('says the file system is read-only (not ENOENT)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'threepio-ro-'))
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro', 'tmpfs', dir]).status).toBe(0)
    try {
      expect(() => createRunDirectory(join(dir, 'out'))).toThrow(
        expect.objectContaining({ code: 'EROFS' }),
      )
    } finally {
      spawnSync('umount', [dir])
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
