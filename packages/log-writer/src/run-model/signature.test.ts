import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { failureSignature, normalizeMessage, projectFrame } from './signature.js'

const ROOT = '/home/me/app'
const at = { file: 'test/a.test.js', rootDir: ROOT }

const libraryFrames = [
  `    at Promise.then.completed (${ROOT}/node_modules/jest-circus/build/utils.js:298:28)`,
  '    at new Promise (<anonymous>)',
  '    at processTicksAndRejections (node:internal/process/task_queues:95:5)',
]

/** One thrown error as Jest reports it (type in the message) and as Vitest does (type in the stack). */
function asJest(
  type: string,
  message: string,
  frame: string,
  line: number,
): { message: string; stack: string } {
  return {
    message: `${type}: ${message}`,
    stack: [`    at connect (${ROOT}/${frame}:${line}:7)`, ...libraryFrames].join('\n'),
  }
}
function asVitest(type: string, message: string, frame: string, line: number) {
  return {
    message,
    stack: [
      `${type}: ${message}`,
      `    at connect (file://${ROOT}/${frame}:${line}:7)`,
      ...libraryFrames,
    ].join('\n'),
  }
}

const word = fc.stringMatching(/^[a-z]{3,10}$/)
const words = fc.array(word, { minLength: 2, maxLength: 6 }).map((w) => w.join(' '))
const errorType = fc.constantFrom(
  'TypeError',
  'RangeError',
  'Error',
  'AssertionError',
  'ConnectionError',
)
const frame = fc.constantFrom('src/db.js', 'src/lib/util.ts', 'test/helpers.js')

/** What varies between occurrences of one cause: two values of one kind. */
const kinds = [
  fc.integer({ min: 0, max: 1_000_000 }).map(String),
  fc.double({ min: 0, max: 1e6, noNaN: true }).map((n) => n.toFixed(3)),
  fc.uuid(),
  fc.integer({ min: 0, max: 2 ** 31 }).map((n) => `0x${n.toString(16)}`),
  fc.integer({ min: 1, max: 65535 }).map((p) => `127.0.0.1:${p}`),
  fc.integer({ min: 1, max: 99999 }).map((n) => `${n}ms`),
  fc.tuple(word, word).map(([a, b]) => `/tmp/${a}/${b}.txt`),
  fc.stringMatching(/^[0-9a-f]{12,40}$/).filter((h) => /\d/.test(h) && /[a-f]/.test(h)),
]
const twoOfAKind = fc.oneof(...kinds.map((k) => fc.tuple(k, k)))

describe('failureSignature', () => {
  it('reads one thrown error the same from Jest and from Vitest', () => {
    fc.assert(
      fc.property(
        errorType,
        words,
        frame,
        fc.integer({ min: 1, max: 500 }),
        (type, msg, f, line) => {
          expect(failureSignature(asJest(type, msg, f, line), at)).toBe(
            failureSignature(asVitest(type, msg, f, line), at),
          )
        },
      ),
    )
  })

  it('keeps one cause together whatever numbers, ids, paths, addresses and timings it names', () => {
    fc.assert(
      fc.property(errorType, words, words, twoOfAKind, (type, a, b, [x, y]) => {
        const one = failureSignature(asJest(type, `${a} ${x} ${b}`, 'src/db.js', 12), at)
        const two = failureSignature(asVitest(type, `${a} ${y} ${b}`, 'src/db.js', 12), at)
        expect(one).toBe(two)
      }),
    )
  })

  it('keeps different messages, types and places apart', () => {
    fc.assert(
      fc.property(errorType, words, words, (type, a, b) => {
        fc.pre(a !== b)
        const sig = (m: string, t = type, f = 'src/db.js') =>
          failureSignature(asJest(t, m, f, 12), at)
        expect(sig(a)).not.toBe(sig(b))
        expect(sig(a, type)).not.toBe(sig(a, type === 'Error' ? 'TypeError' : 'Error'))
        expect(sig(a, type, 'src/db.js')).not.toBe(sig(a, type, 'src/other.js'))
      }),
    )
  })

  it('names the innermost frame inside the project, relative to its root', () => {
    const stack = [
      `    at Object.toBe (${ROOT}/node_modules/expect/build/index.js:1:1)`,
      `    at check (${ROOT}/test/helpers.js:8:3)`,
      `    at Object.<anonymous> (${ROOT}/test/a.test.js:3:29)`,
    ].join('\n')
    expect(projectFrame(stack, ROOT)).toBe('test/helpers.js:8')
    expect(projectFrame('    at run (/usr/lib/node/x.js:1:1)', ROOT)).toBeUndefined()
  })

  it('reads pytest: the type after the last frame, the innermost frame in the project', () => {
    const error = {
      message: 'assert (1 + 1) == 3',
      stack: [
        '    def test_fails():',
        '>       helper()',
        '',
        'tests/test_a.py:9: in test_fails',
        '    helper()',
        '/usr/lib/python3.11/site-packages/lib.py:4: in helper',
        'tests/conftest.py:7: in helper',
        '>       assert 1 + 1 == 3',
        'E       assert (1 + 1) == 3',
        '',
        'tests/conftest.py:7: AssertionError',
      ].join('\n'),
    }
    expect(failureSignature(error, { file: 'tests/test_a.py', rootDir: ROOT })).toBe(
      'AssertionError: assert (<n> + <n>) == <n> @ tests/conftest.py:7',
    )
  })

  it('writes the failing file itself as <file>, so one missing module is one cause', () => {
    const load = (file: string) =>
      failureSignature({ message: `Cannot find module './db' from '${file}'` }, { file })
    expect(load('src/a.test.js')).toBe(load('src/b.test.js'))
    expect(load('src/a.test.js')).toBe("Cannot find module './db' from '<file>'")
  })

  it('normalises timings, addresses and ids', () => {
    expect(normalizeMessage('Exceeded timeout of 5000 ms for a test.')).toBe(
      'Exceeded timeout of <n> ms for a test.',
    )
    expect(normalizeMessage('connect ECONNREFUSED 127.0.0.1:5432')).toBe(
      'connect ECONNREFUSED <addr>',
    )
    expect(normalizeMessage('user 3f2b8c1e-1d2a-4c3b-9a8e-0b1c2d3e4f50 not found')).toBe(
      'user <id> not found',
    )
  })
})
