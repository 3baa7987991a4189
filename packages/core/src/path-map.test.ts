import { posix } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { logPathFor, MAX_LOG_PATH_BYTES, MAX_NAME_BYTES, toEventFile } from './path-map.js'

const RUNS = 10_000

/** The cases whose answers test-vectors/path-map.json records. */
export const VECTOR_INPUTS: Array<[string] | [string, string]> = [
  ['src/api/user.test.ts'],
  ['test_app.py'],
  ['tests/unit/test_models.py'],
  ['a-b.test.ts'],
  ['a.b.test.ts'],
  ['a_b.test.ts'],
  ['src/ünïcode/日本語.test.ts'],
  ['src/with space/a b.test.ts'],
  ['../outside/a.test.ts'],
  ['./a.test.ts'],
  ['/abs/path/a.test.ts'],
  ['a//b.test.ts'],
  ['..'],
  ['.'],
  [''],
  ['100%.test.ts'],
  ['a%25.test.ts'],
  ['back\\slash.test.ts'],
  ['c:/x/y.test.ts'],
  ['what?.test.ts'],
  ['star*.test.ts'],
  ['quote".test.ts'],
  ['<angle>.test.ts'],
  ['pipe|.test.ts'],
  ['tab\t.test.ts'],
  ['nl\n.test.ts'],
  ['del\u007f.test.ts'],
  ['con'],
  ['aux.test.ts'],
  ['src/nul/a.test.ts'],
  ['COM1.py'],
  ['console.test.ts'],
  ['trailing.'],
  ['trailing '],
  ['dir./a.test.ts'],
  ['logs.log/a.test.ts'],
  ['a'],
  ['a.log/b'],
  ['x.LOG/y'],
  ['weird]'],
  ['src/a.test.ts', 'chromium'],
  ['src/a.test.ts', 'unit [fast]'],
  ['src/a.test.ts', 'a/b'],
  ['src/a.test.ts', ''],
  ['lone\ud800surrogate.test.ts'],
  ['emoji😀.test.ts'],
  ['x'.repeat(300) + '.test.ts'],
  ['é'.repeat(200) + '.test.ts'],
  [('d'.repeat(200) + '/').repeat(6) + 'deep.test.ts'],
  ['d'.repeat(300) + '/a.test.ts'],
]

const byteLength = (s: string) => Buffer.byteLength(s, 'utf8')

/** Ordinary path segments: what real test files look like. */
const ordinarySegment = fc
  .string({
    unit: fc.constantFrom(
      ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+@ ()[]{}#=,~ñüé日本😀',
    ),
    minLength: 1,
    maxLength: 30,
  })
  .filter(
    (s) =>
      s !== '.' &&
      s !== '..' &&
      !/[. ]$/.test(s) &&
      !/^(con|prn|aux|nul|com\d|lpt\d)$/i.test(s.split('.')[0]!),
  )
const ordinaryPath = fc
  .tuple(
    fc.array(
      ordinarySegment.filter((s) => !/\.log$/i.test(s)),
      { maxLength: 5 },
    ),
    ordinarySegment,
  )
  .filter(([, last]) => !last.endsWith(']') && !last.endsWith(')'))
  .map(([dirs, last]) => [...dirs, last].join('/'))

/** Anything at all, weighted towards the troublesome characters. */
const anyPath = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({
    unit: fc.constantFrom(
      'a',
      'b',
      '.',
      '/',
      '%',
      '2',
      'E',
      '~',
      ']',
      '[',
      ' ',
      '\\',
      ':',
      '\0',
      'l',
      'o',
      'g',
      '\ud800',
      '😀',
      'é',
    ),
    maxLength: 40,
  }),
  fc.string({ unit: fc.constantFrom('a', 'é', '/', '.'), minLength: 200, maxLength: 1500 }),
)
const anyProject = fc.option(
  fc.string({ unit: fc.constantFrom('a', '[', ']', '(', ')', '/', ' ', '%', 'é'), maxLength: 8 }),
  { nil: undefined },
)
const anyMode = fc.constantFrom(undefined, 'typecheck')

describe('logPathFor', () => {
  it.each([
    ['src/api/user.test.ts', undefined, 'src/api/user.test.ts.log'],
    ['a-b.test.ts', undefined, 'a-b.test.ts.log'],
    ['a.b.test.ts', undefined, 'a.b.test.ts.log'],
    ['a_b.test.ts', undefined, 'a_b.test.ts.log'],
    ['../outside/a.test.ts', undefined, '%2E%2E/outside/a.test.ts.log'],
    ['/abs/a.test.ts', undefined, '%/abs/a.test.ts.log'],
    ['100%.test.ts', undefined, '100%25.test.ts.log'],
    ['a:b?.ts', undefined, 'a%3Ab%3F.ts.log'],
    ['aux.test.ts', undefined, '%61ux.test.ts.log'],
    ['a.log/b', undefined, 'a%2Elog/b.log'],
    ['weird]', undefined, 'weird%5D.log'],
    ['src/a.test.ts', 'chromium', 'src/a.test.ts [chromium].log'],
    ['src/a.test.ts', 'x [y]', 'src/a.test.ts [x %5By%5D].log'],
    ['src/a.test.ts', 'x (y)', 'src/a.test.ts [x %28y%29].log'],
    ['weird)', undefined, 'weird%29.log'],
  ])('%s (project %s) → %s', (file, project, expected) => {
    expect(logPathFor(file, project)).toBe(expected)
  })

  it.each([
    ['src/a.test.ts', undefined, 'src/a.test.ts (typecheck).log'],
    ['src/a.test.ts', 'web', 'src/a.test.ts [web] (typecheck).log'],
    ['src/a.test.ts', 'typecheck', 'src/a.test.ts [typecheck] (typecheck).log'],
  ])('%s (project %s, typecheck mode) → %s', (file, project, expected) => {
    expect(logPathFor(file, project, 'typecheck')).toBe(expected)
  })

  it('never gives a file run in two modes one log', () => {
    for (const project of [undefined, 'web', 'typecheck', '(typecheck)'])
      expect(logPathFor('a.test.ts', project, 'typecheck')).not.toBe(
        logPathFor('a.test.ts', project),
      )
    expect(logPathFor('a.test.ts', 'typecheck')).not.toBe(
      logPathFor('a.test.ts', undefined, 'typecheck'),
    )
    expect(logPathFor('a.test.ts (typecheck)')).not.toBe(
      logPathFor('a.test.ts', undefined, 'typecheck'),
    )
  })

  it('keeps names within 255 bytes and paths within the bound', () => {
    const long = logPathFor('é'.repeat(400) + '.test.ts')
    expect(byteLength(long)).toBeLessThanOrEqual(MAX_NAME_BYTES)
    expect(long).toMatch(/^é+%~[0-9a-f]{16}\.log$/)
    const deep = logPathFor(('d'.repeat(200) + '/').repeat(10) + 'deep.test.ts')
    expect(byteLength(deep)).toBeLessThanOrEqual(MAX_LOG_PATH_BYTES)
    expect(deep).toMatch(/^%~\/[0-9a-f]{16}\/deep\.test\.ts\.log$/)
  })

  it('matches the recorded test vectors', async () => {
    const vectors = VECTOR_INPUTS.map(([file, project]) => ({
      file,
      ...(project !== undefined ? { project } : {}),
      log: logPathFor(file, project),
    }))
    await expect(JSON.stringify(vectors, null, 1) + '\n').toMatchFileSnapshot(
      '../test-vectors/path-map.json',
    )
  })

  it('leaves ordinary paths as they are (property)', () => {
    fc.assert(
      fc.property(ordinaryPath, (file) => logPathFor(file) === file + '.log'),
      { numRuns: RUNS },
    )
  })

  it('never leaves the logs folder and keeps every name short (property)', () => {
    fc.assert(
      fc.property(anyPath, anyProject, anyMode, (file, project, mode) => {
        const out = logPathFor(file, project, mode)
        const segments = out.split('/')
        expect(out.startsWith('/')).toBe(false)
        expect(out).not.toContain('\\')
        expect(out).not.toContain('\0')
        for (const s of segments) {
          expect(s === '' || s === '.' || s === '..').toBe(false)
          expect(byteLength(s)).toBeLessThanOrEqual(MAX_NAME_BYTES)
        }
        expect(byteLength(out)).toBeLessThanOrEqual(MAX_LOG_PATH_BYTES)
        expect(posix.normalize(out)).toBe(out)
        expect(posix.resolve('/run/logs', out).startsWith('/run/logs/')).toBe(true)
        expect(out.endsWith('.log')).toBe(true)
        // Folders never end in .log, so no log is a prefix (folder) of another.
        for (const dir of segments.slice(0, -1)) expect(/\.log$/i.test(dir)).toBe(false)
        // Well-formed: every character is encodable as UTF-8.
        expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out)
      }),
      { numRuns: RUNS },
    )
  })

  it('is injective (property)', () => {
    fc.assert(
      fc.property(
        fc.tuple(anyPath, anyProject, anyMode),
        fc.tuple(anyPath, anyProject, anyMode),
        ([a, pa, ma], [b, pb, mb]) => {
          fc.pre(a !== b || (pa || undefined) !== (pb || undefined) || ma !== mb)
          expect(logPathFor(a, pa, ma)).not.toBe(logPathFor(b, pb, mb))
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('is injective on near-identical paths (property)', () => {
    // Random pairs rarely collide by chance; derive the second path from the first.
    const mutate = fc
      .tuple(
        anyPath,
        fc.nat(),
        fc.constantFrom('%', '.', '/', ']', ')', ' (', ' ', 'a', '%25', '%2E', '.log', ''),
      )
      .map(([s, i, ins]) => {
        const at = s.length ? i % (s.length + 1) : 0
        return [s, s.slice(0, at) + ins + s.slice(at)] as const
      })
    fc.assert(
      fc.property(mutate, anyProject, ([a, b], project) => {
        fc.pre(a !== b)
        expect(logPathFor(a, project)).not.toBe(logPathFor(b, project))
      }),
      { numRuns: RUNS },
    )
  })
})

describe('toEventFile', () => {
  it.each([
    ['/repo', '/repo/src/a.test.ts', '/', 'src/a.test.ts'],
    ['/repo/', '/repo/src/a.test.ts', '/', 'src/a.test.ts'],
    ['/repo/pkg', '/repo/other/a.test.ts', '/', '../other/a.test.ts'],
    ['C:\\repo', 'C:\\repo\\src\\a.test.ts', '\\', 'src/a.test.ts'],
    ['C:\\repo', 'D:\\x\\a.test.ts', '\\', 'D:/x/a.test.ts'],
  ])('%s + %s → %s', (root, abs, sep, expected) => {
    expect(toEventFile(root, abs, sep)).toBe(expected)
  })
})
