// `pnpm demo`: runs the demo suites of each runner through threepio and shows what it wrote.
// Some demo tests fail on purpose; the demo itself succeeds when every run was recorded.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { readLatest, runPaths } from '@threepio/core'
import { ensureVenv } from '../packages/pytest-bridge/venv.mjs'
import { installPacked } from './packed.mjs'

const root = join(import.meta.dirname, '..')
const outputDir = join(root, '.3pio')
// The runners installed beside the reporters, as in a user's project: the rerun commands that
// test-run.md gives (`npx vitest run …`, `npx jest …`) find these same ones from the demo folders.
const modules = join(root, 'fixtures/node_modules')
const runners = [
  {
    name: 'Vitest',
    cwd: 'fixtures/vitest/demo',
    args: [join(modules, 'vitest/vitest.mjs'), 'run'],
    env: { VITEST_JSON: join(mkdtempSync(join(tmpdir(), 'threepio-demo-')), 'vitest.json') },
  },
  {
    name: 'Jest',
    cwd: 'fixtures/jest/demo',
    args: [join(modules, 'jest/bin/jest.js'), '--ci'],
    env: {},
  },
  {
    name: 'pytest',
    cwd: 'fixtures/pytest/demo',
    // The plugin installed into a virtualenv as a user installs it (pytest.ini adds -p threepio).
    command: () => join(ensureVenv(9), 'python'),
    args: ['-m', 'pytest'],
    env: {},
  },
]

console.log(
  'threepio demo: the Vitest, Jest and pytest demo suites, each run through threepio.\n' +
    'Some of their tests fail on purpose, to show how threepio records failures, so each\n' +
    'runner ends with FAILED.',
)

// The reporters as a user installs them: packed, and installed with npm where the demo
// suites' configs find them (fixtures/node_modules), with Jest and Vitest beside them.
installPacked(join(root, 'fixtures'), undefined, ['jest@^30', 'vitest@^4'])

let failed = false
for (const runner of runners) {
  console.log(`\n━━━ ${runner.name}: ${runner.cwd} ━━━\n`)
  const before = readLatest(outputDir)
  const result = spawnSync(runner.command?.() ?? process.execPath, runner.args, {
    cwd: join(root, runner.cwd),
    stdio: 'inherit',
    env: { ...process.env, THREEPIO_DIR: outputDir, ...runner.env },
  })
  const runId = readLatest(outputDir)
  if (!runId || runId === before) {
    console.error(`\n${runner.name} left no run directory (exit ${result.status ?? result.signal})`)
    failed = true
    continue
  }
  const paths = runPaths(outputDir, runId)
  console.log(
    `\n${runner.name} (exit code ${result.status}) recorded ${relative(process.cwd(), paths.runDir)}/`,
  )
  console.log('─'.repeat(72))
  console.log(readFileSync(paths.summaryMd, 'utf8'))
}
const dir = relative(process.cwd(), outputDir)
console.log(
  `\n${failed ? 'A runner left no record (above).' : 'Every run was recorded; the failures above are the demo tests that fail on purpose.'}\n` +
    `Runs: ${dir}/runs/<run-id>/ (test-run.md, run.json, events.jsonl, logs/). List them: pnpm exec threepio ls --dir ${dir}\n` +
    `The rerun commands above work from each demo folder (pytest's in the demo's virtualenv: ` +
    `. packages/pytest-bridge/.venv-pytest9/bin/activate).`,
)
process.exit(failed ? 1 : 0)
