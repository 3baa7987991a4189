// What a coding agent reads after a failing run: the frameworks' own agent reporters (Vitest's
// `agent`, Jest 30's `agent`) against threepio's test-run.md, on the same generated suite
// (N files of one test each, 3 of them failing with a diff). Bytes, and whether each failure
// comes with file:line, the diff's lines and a command that reruns just it.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { installPacked } from '../scripts/packed.mjs'

const require = createRequire(import.meta.url)
const JEST = join(require.resolve('jest/package.json'), '../bin/jest.js')
const VITEST = join(require.resolve('vitest/package.json'), '../vitest.mjs')
const FAILING = [7, 420, 999]

function generate(dir, files) {
  mkdirSync(join(dir, 'src'), { recursive: true })
  for (let i = 0; i < files; i++) {
    const failing = FAILING.includes(i % 1000) && i < files
    writeFileSync(
      join(dir, 'src', `m${String(i).padStart(4, '0')}.test.js`),
      `describe('module ${i}', () => {
  test('returns the user', () => {
    const user = { id: ${i}, name: 'Ann', roles: ['admin'] }
    expect(user).toEqual({ id: ${i}, name: '${failing ? 'Bob' : 'Ann'}', roles: ['admin'] })
  })
})
`,
    )
  }
  writeFileSync(
    join(dir, 'jest.config.cjs'),
    `const r = JSON.parse(process.env.BENCH_JEST || '[]')\nmodule.exports = { testMatch: ['**/*.test.js'], reporters: r }\n`,
  )
  writeFileSync(
    join(dir, 'vitest.config.mjs'),
    `export default { test: { globals: true, include: ['**/*.test.js'], reporters: JSON.parse(process.env.BENCH_VITEST || '[]') } }\n`,
  )
}

function runOnce(command, args, cwd, env) {
  const r = spawnSync(process.execPath, [command, ...args], {
    cwd,
    env: { ...process.env, CI: 'true', NO_COLOR: '1', ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  return r.stdout + r.stderr
}

/** What a reader gets about each failing test from `text`. */
function facts(text, files) {
  const names = FAILING.filter((i) => i < files).map(
    (i) => `m${String(i).padStart(4, '0')}.test.js`,
  )
  return {
    'file:line': names.every((n) => new RegExp(`${n.replace('.', '\\.')}:\\d+`).test(text)),
    diff: /[-+]\s+"?name"?: "?(Ann|Bob)/.test(text),
    rerun: names.every((n) =>
      new RegExp(`(vitest run|jest) \\S*${n.replace('.', '\\.')}[^\\n]* -t `).test(text),
    ),
  }
}

export async function benchAgent({ quick }) {
  const files = quick ? 100 : 1000
  const dir = mkdtempSync(join(tmpdir(), 'threepio-bench-agent-'))
  generate(dir, files)
  installPacked(dir)
  const out = join(dir, '.3pio')
  const rows = []
  const add = (runner, reader, text) => {
    const f = facts(text, files)
    rows.push({
      runner,
      'what the agent reads': reader,
      bytes: Buffer.byteLength(text),
      'file:line': f['file:line'] ? 'yes' : 'no',
      'diff lines': f.diff ? 'yes' : 'no',
      'rerun command': f.rerun ? 'yes' : 'no',
    })
  }
  const latestMd = () =>
    readFileSync(
      join(out, 'runs', readFileSync(join(out, 'latest'), 'utf8').trim(), 'test-run.md'),
      'utf8',
    )

  add(
    'Vitest',
    'terminal, `--reporter=agent`',
    runOnce(VITEST, ['run'], dir, { BENCH_VITEST: '["agent"]' }),
  )
  add(
    'Vitest',
    'terminal, default reporter',
    runOnce(VITEST, ['run'], dir, { BENCH_VITEST: '["default"]' }),
  )
  runOnce(VITEST, ['run'], dir, {
    BENCH_VITEST: '[["@threepio/vitest-reporter", {}]]',
    THREEPIO_DIR: out,
  })
  add('Vitest', 'threepio test-run.md', latestMd())
  add(
    'Jest 30',
    'terminal, `--reporters=agent`',
    runOnce(JEST, ['--ci'], dir, { BENCH_JEST: '["agent"]' }),
  )
  add(
    'Jest 30',
    'terminal, default reporter',
    runOnce(JEST, ['--ci'], dir, { BENCH_JEST: '["default"]' }),
  )
  runOnce(JEST, ['--ci'], dir, { BENCH_JEST: '["@threepio/jest-reporter"]', THREEPIO_DIR: out })
  add('Jest 30', 'threepio test-run.md', latestMd())
  rmSync(dir, { recursive: true, force: true })
  console.log(`\nAgent-sized output: ${files} files, 3 failing with a diff`)
  console.table(rows)
  return rows
}

if (import.meta.url === `file://${process.argv[1]}`)
  await benchAgent({ quick: process.argv.includes('--quick') })
