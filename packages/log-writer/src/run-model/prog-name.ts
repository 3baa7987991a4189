/** The name the `threepio` command goes by where the user is, for the commands messages name. */

/**
 * How the user runs this command where they are, for the commands messages tell them to run:
 * `THREEPIO_PROG` when another package runs it (`python -m pytest_threepio`); under pnpm or
 * yarn, the bin of the installed reporter; `npx @threepio/cli` when that is how this command
 * runs (from npx's cache); else the project's own bin through npm, `npx --no threepio` (every
 * reporter carries it). Never `npx threepio` without `--no`: unscoped `threepio` on npm is an
 * unrelated package, which `--no` never fetches.
 */
export function progName(
  env: Record<string, string | undefined>,
  script: string | undefined = process.argv[1],
): string {
  const given = env.THREEPIO_PROG?.trim()
  if (given) return given
  const agent = env.npm_config_user_agent ?? ''
  if (agent.startsWith('pnpm/')) return 'pnpm exec threepio'
  if (agent.startsWith('yarn/')) return 'yarn threepio'
  if (script && /[\\/]_npx[\\/]/.test(script)) return 'npx @threepio/cli'
  return 'npx --no threepio'
}
