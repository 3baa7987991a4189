/**
 * A failure's signature: what stays the same between occurrences of one cause. It is the error's
 * type and first line, with numbers, paths, ids, addresses and timings replaced by placeholders,
 * plus the innermost stack frame inside the project (its path relative to rootDir, and line).
 *
 * `TypeError: Cannot read properties of undefined (reading 'id') @ src/db.js:12`
 *
 * The same error reads the same whether Jest (type in the message), Vitest (type in the stack's
 * first line) or pytest (type after the last frame, `path.py:12: TypeError`) reported it.
 */
import type { TestError } from '@threepio/core'
import { withoutAnsi } from './log-format.js'

/** Most characters of the message kept in a signature. */
const MAX_MESSAGE = 240

/** `TypeError: …`, `AssertionError [ERR_ASSERTION]: …`, `_pytest.outcomes.Failed: …` */
const TYPED =
  /^\s*((?:[A-Za-z_$][\w$]*\.)*[A-Za-z_$]*(?:Error|Exception|Failed|Failure|Warning|Exit|Interrupt|Timeout))(?: \[[\w-]+\])?:(?:\s+|$)(.*)$/

/** A V8 stack frame: `at fn (path:line:col)` or `at path:line:col`. */
const V8_FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):\d+\)?\s*$/
/** A pytest traceback line: `path.py:12: in fn` or, last, `path.py:12: TypeError`. */
const PY_FRAME = /^(\S.*?\.py):(\d+): (?:in \S+|([\w.]+))\s*$/

/** Where the frames of libraries and of the runtime live. */
const OUTSIDE =
  /(?:^|[\\/])(?:node_modules|site-packages|dist-packages)[\\/]|^node:|^<|^internal[\\/]|[\\/]lib[\\/]python\d/

export interface SignatureContext {
  /** The test file, relative to rootDir: written `<file>` where the message names it. */
  file: string
  /** Absolute project root; frames under it are made relative. */
  rootDir?: string | undefined
}

/** The failure's signature (see the module comment). */
export function failureSignature(error: TestError | undefined, at: SignatureContext): string {
  if (!error) return 'failed without an error message'
  const message = withoutAnsi(error.message)
  const stack = error.stack ? withoutAnsi(error.stack) : ''
  const { type, headline } = typeAndHeadline(message, stack)
  const frame = projectFrame(stack, at.rootDir) ?? projectFrame(message, at.rootDir)
  const text = normalizeMessage(headline, at.file)
  return `${type ? `${type}: ` : ''}${text}${frame ? ` @ ${frame}` : ''}`
}

function typeAndHeadline(message: string, stack: string): { type?: string; headline: string } {
  const first = firstLine(message)
  const typed = TYPED.exec(first)
  if (typed) return { type: typed[1]!, headline: typed[2] || secondLine(message) }
  // Vitest keeps the type in the stack's first line; pytest after its last frame.
  const stackTyped = TYPED.exec(firstLine(stack))
  if (stackTyped) return { type: stackTyped[1]!, headline: first }
  const lines = stack.split('\n')
  for (let i = lines.length - 1; i >= 0; i--) {
    const py = PY_FRAME.exec(lines[i]!)
    if (py?.[3]) return { type: py[3], headline: first }
    if (lines[i]!.trim()) break
  }
  return { headline: first }
}

const firstLine = (text: string) => text.split('\n').find((l) => l.trim() !== '') ?? ''
const secondLine = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(1, 2)
    .join('')

/** The innermost frame inside the project: `path:line` relative to rootDir. */
export function projectFrame(stack: string, rootDir?: string): string | undefined {
  const root = rootDir ? rootDir.replace(/\\/g, '/').replace(/\/+$/, '') + '/' : undefined
  const lines = stack.split('\n')
  // V8 lists the innermost frame first; pytest last.
  const python = lines.some((l) => PY_FRAME.test(l))
  const order = python ? lines.reverse() : lines
  for (const line of order) {
    const m = python ? PY_FRAME.exec(line) : V8_FRAME.exec(line)
    if (!m) continue
    const path = inProject(m[1]!, root)
    if (path !== undefined) return `${path}:${m[2]}`
  }
  return undefined
}

function inProject(raw: string, root: string | undefined): string | undefined {
  let path = raw.replace(/^file:\/\//, '').replace(/\\/g, '/')
  try {
    path = decodeURI(path)
  } catch {
    // a path with a lone % stays as written
  }
  if (OUTSIDE.test(path)) return undefined
  const absolute = path.startsWith('/') || /^[A-Za-z]:\//.test(path)
  if (absolute) {
    if (!root || !path.startsWith(root)) return undefined
    path = path.slice(root.length)
  }
  return path.replace(/^\.\//, '')
}

/** The message with what varies between occurrences of one cause written as placeholders. */
export function normalizeMessage(text: string, file?: string): string {
  let t = text.trim()
  if (t.length > MAX_MESSAGE) t = t.slice(0, MAX_MESSAGE)
  if (file) t = t.split(file).join('<file>')
  return (
    t
      .replace(/\b[a-z][\w+.-]*:\/\/[^\s'"`)]+/gi, '<url>')
      .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
      .replace(/\b0x[0-9a-f]+\b/gi, '<addr>')
      .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<addr>')
      // Paths: two or more segments, absolute or relative (`/tmp/x/y`, `C:\a\b`, `./a/b`).
      .replace(/(?:[A-Za-z]:)?(?:\.{1,2})?(?:[\\/][\w.@+~-]+){2,}[\\/]?/g, '<path>')
      // Hashes and generated ids: long runs of hex or of letters mixed with digits.
      .replace(/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<id>')
      .replace(/\b(?=\w*\d)(?=\w*[A-Za-z])\w{16,}\b/g, '<id>')
      .replace(/[-+]?\b\d+(?:[.,]\d+)*(?:e[-+]?\d+)?/gi, '<n>')
      .replace(/\s+/g, ' ')
  )
}
