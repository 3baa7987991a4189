// `pnpm pack:local`: the npm packages packed into packed/, and what a project's package.json
// needs to install a reporter from them with npm, pnpm or yarn (the recipe e2e/src/install.test.ts
// installs and runs). A reporter's own dependencies (@threepio/core, @threepio/log-writer, @threepio/cli,
// and through the command both reporters) are not on the registry yet, so each package manager is
// told to take them all from the tarballs too.
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { packPackages, ROOT } from './packed.mjs'

const dest = join(ROOT, 'packed')
rmSync(dest, { recursive: true, force: true })
mkdirSync(dest)
const tarballs = packPackages(dest)
const file = (name) => `file:${tarballs[name]}`
const reporters = {
  '@threepio/jest-reporter': file('@threepio/jest-reporter'),
  '@threepio/vitest-reporter': file('@threepio/vitest-reporter'),
}
const pinned = {
  '@threepio/core': file('@threepio/core'),
  '@threepio/log-writer': file('@threepio/log-writer'),
  '@threepio/cli': file('@threepio/cli'),
  ...reporters,
}
const show = (value) => JSON.stringify(value, null, 2)

console.log(`Packed into ${dest}.

In your project's package.json, add the reporter you use to devDependencies:
${show(reporters)}

and, so that its own dependencies come from these tarballs too:
  npm:  ${show({ overrides: pinned }).replaceAll('\n', '\n        ')}
  pnpm: ${show({ pnpm: { overrides: pinned } }).replaceAll('\n', '\n        ')}
  yarn: ${show({ resolutions: pinned }).replaceAll('\n', '\n        ')}

then run npm install, pnpm install or yarn install. For pytest: pip install ${join(ROOT, 'packages/pytest-bridge')}

Or, with nothing added to the project, \`npx --yes ${Object.values(tarballs)
  .map((t) => `--package=${t}`)
  .join(' ')} threepio run -- npm test\`.`)
