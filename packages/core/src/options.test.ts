import { describe, expect, it } from 'vitest'
import { describeFsError, didYouMean, resolveOptions } from './options.js'

const root = '/project'
const github = { junit: '', ctrf: '', githubAnnotations: true, githubSummary: true }
const resolve = (given: unknown, env: Record<string, string> = {}) =>
  resolveOptions(given, { rootDir: root, env })

describe('resolveOptions', () => {
  it('takes the environment, then the reporter option, then the default', () => {
    expect(resolve(undefined)).toEqual({
      options: { outputDir: '/project/.3pio', keepRuns: 30, quiet: false, ...github },
      warnings: [],
    })
    expect(
      resolve({}, { THREEPIO_DIR: 'out', THREEPIO_KEEP_RUNS: '5', THREEPIO_QUIET: 'yes' }),
    ).toEqual({
      options: { outputDir: '/project/out', keepRuns: 5, quiet: true, ...github },
      warnings: [],
    })
    expect(
      resolve({ outputDir: '/abs', keepRuns: 0, quiet: false }, { THREEPIO_QUIET: '1' }).options,
    ).toEqual({ outputDir: '/abs', keepRuns: 0, quiet: true, ...github })
    expect(resolve({ outputDir: '.3pio' }, { THREEPIO_DIR: '/ci/out' }).options.outputDir).toBe(
      '/ci/out',
    )
  })

  it('treats empty strings as unset, in options and environment', () => {
    const r = resolve({ outputDir: '' }, { THREEPIO_DIR: '', THREEPIO_KEEP_RUNS: ' ' })
    expect(r).toEqual({
      options: { outputDir: '/project/.3pio', keepRuns: 30, quiet: false, ...github },
      warnings: [],
    })
    expect(resolve({ outputDir: ' ' }, { THREEPIO_DIR: 'env-dir' }).options.outputDir).toBe(
      '/project/env-dir',
    )
  })

  it('names the option, where it was set, the value and what was expected, then uses the default', () => {
    const r = resolve({ outputDir: 42, keepRuns: -1, quiet: 'maybe' })
    expect(r.options).toEqual({
      outputDir: '/project/.3pio',
      keepRuns: 30,
      quiet: false,
      ...github,
    })
    expect(r.warnings).toEqual([
      'outputDir (reporter option) must be a path (an empty value means unset); received 42; using .3pio under the project root',
      'keepRuns (reporter option) must be a whole number >= 0 (0 keeps all); received -1; keeping 30',
      'quiet (reporter option) must be true or false (1/0, yes/no, on/off); received "maybe"; not quiet',
    ])
    expect(resolve({}, { THREEPIO_KEEP_RUNS: 'abc' }).warnings).toEqual([
      'keepRuns (THREEPIO_KEEP_RUNS) must be a whole number >= 0 (0 keeps all); received "abc"; keeping 30',
    ])
    // A bad value in the environment does not fall through to the reporter option: the default.
    expect(resolve({ keepRuns: 7 }, { THREEPIO_KEEP_RUNS: '2.5' }).options.keepRuns).toBe(30)
    expect(resolve({ keepRuns: 2.5 }).options.keepRuns).toBe(30)
  })

  it('reads boolean words the same way everywhere', () => {
    for (const word of ['1', 'true', 'YES', 'on'])
      expect(resolve({ quiet: word }).options.quiet).toBe(true)
    for (const word of ['0', 'false', 'no', 'Off'])
      expect(resolve({}, { THREEPIO_QUIET: word }).options.quiet).toBe(false)
    expect(resolve({ quiet: 'no' }).options.quiet).toBe(false)
  })

  it('warns about unknown keys with a suggestion, and about options that are not an object', () => {
    expect(resolve({ outDir: 'x' }).warnings).toEqual([
      'unknown reporter option "outDir", ignored. Did you mean "outputDir"? The options are outputDir, keepRuns, quiet, junit, ctrf, githubAnnotations, githubSummary.',
    ])
    expect(resolve({ keepruns: 3 }).warnings[0]).toContain('Did you mean "keepRuns"?')
    expect(resolve({ colour: true }).warnings[0]).not.toContain('Did you mean')
    expect(
      resolveOptions({ live: true }, { rootDir: root, env: {}, otherKeys: ['live'] }).warnings,
    ).toEqual([])
    expect(resolve('quiet').warnings).toEqual([
      `the reporter's options must be an object such as { outputDir: '.3pio' }; received "quiet"; using the defaults`,
    ])
  })
})

describe('didYouMean', () => {
  it('suggests only near misses', () => {
    expect(didYouMean('quite', ['outputDir', 'keepRuns', 'quiet'])).toBe(' Did you mean "quiet"?')
    expect(didYouMean('OUTPUTDIR', ['outputDir', 'quiet'])).toBe(' Did you mean "outputDir"?')
    expect(didYouMean('reporter', ['outputDir', 'keepRuns', 'quiet'])).toBe('')
  })
})

describe('describeFsError', () => {
  it('says the cause in words with the errno code and the path', () => {
    const err = Object.assign(new Error('EROFS: read-only file system, mkdir'), {
      code: 'EROFS',
      syscall: 'mkdir',
      path: '/ro/.3pio',
    })
    expect(describeFsError(err)).toBe('mkdir /ro/.3pio: read-only file system (EROFS)')
    expect(describeFsError(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe(
      'permission denied (EACCES)',
    )
    expect(describeFsError(new Error('plain'))).toBe('plain')
  })
})
