/**
 * The test-file → log-path mapping (docs/design.md, "The run directory").
 *
 * `src/api/user.test.ts` → `src/api/user.test.ts.log`, relative to the run's `logs/` folder; a
 * file of a named project gets ` [project]`, a file run in a mode (Vitest's typecheck pass) gets
 * ` (typecheck)`: `src/a.test.ts [web] (typecheck).log`.
 *
 * Guarantees, for every input string:
 * - injective: two different (file, project, mode) triples never share a log path, and no log path is a
 *   folder of another (directory segments never end in `.log`);
 * - contained: the result is relative, has no empty, `.` or `..` segment and no `\`, so it never
 *   leaves `logs/`;
 * - ordinary paths are unchanged (only `.log` is appended);
 * - portable: characters that Windows, macOS or CI artifact stores reject are encoded, and
 *   names stay within 255 bytes, paths within {@link MAX_LOG_PATH_BYTES}.
 *
 * Encoding is percent-encoding of the WTF-8 bytes of a character (`%25` for `%`), so any
 * segment that was not shortened decodes back to the original. Shortened names carry `%~` and a
 * hash of the original; `%~` never appears in a plain encoding, so they cannot collide with one.
 *
 * It is the only implementation: the pytest plugin leaves log paths to the log writer.
 * `test-vectors/path-map.json` records its answers for a fixed set of cases, so that a change to
 * the mapping shows up as a change to that file.
 */
import { createHash } from 'node:crypto'

/** Longest file or folder name produced, in UTF-8 bytes (ext4, APFS and NTFS allow 255). */
export const MAX_NAME_BYTES = 255
/** Longest relative log path produced, in UTF-8 bytes. */
export const MAX_LOG_PATH_BYTES = 1024
/** Bytes of the readable prefix kept when a name is shortened. */
const SHORTENED_PREFIX_BYTES = 160

/** Characters encoded anywhere: `%` (the escape), `\` and the ones Windows and artifact stores reject. */
const ALWAYS_ENCODED = new Set(['%', '\\', ':', '*', '?', '"', '<', '>', '|'])
/** Windows device names, reserved whatever the extension. */
const RESERVED_NAME = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i

type SegmentKind = 'dir' | 'file' | 'project'

/** The WTF-8 bytes of one code point (UTF-8, with lone surrogates encoded like any other). */
function wtf8(cp: number): number[] {
  if (cp < 0x80) return [cp]
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)]
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]
  return [
    0xf0 | (cp >> 18),
    0x80 | ((cp >> 12) & 0x3f),
    0x80 | ((cp >> 6) & 0x3f),
    0x80 | (cp & 0x3f),
  ]
}

function codePoints(s: string): number[] {
  const out: number[] = []
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        out.push(0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00))
        i++
        continue
      }
    }
    out.push(c)
  }
  return out
}

function percent(cp: number): string {
  return wtf8(cp)
    .map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0'))
    .join('')
}

function mustEncode(cp: number, kind: SegmentKind): boolean {
  if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp <= 0x9f)) return true // control characters
  if (cp >= 0xd800 && cp <= 0xdfff) return true // lone surrogate: not representable in UTF-8
  const ch = String.fromCodePoint(cp)
  if (ALWAYS_ENCODED.has(ch)) return true
  return kind === 'project' && (ch === '[' || ch === ']' || ch === '/' || ch === '(' || ch === ')')
}

/** UTF-8 byte length of an already encoded (hence well-formed) string. */
const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8')

function wtf8Hash(text: string, hexDigits: number): string {
  const bytes: number[] = []
  for (const cp of codePoints(text)) bytes.push(...wtf8(cp))
  return createHash('sha256').update(Buffer.from(bytes)).digest('hex').slice(0, hexDigits)
}

/**
 * Encodes one path segment as a list of units (one per code point), so that later rules can
 * re-encode a single character and shortening never splits an escape or a character.
 */
function encodeUnits(segment: string, kind: SegmentKind): string[] {
  if (segment === '') return ['%'] // empty segment (`a//b`, leading `/`): `%` alone never occurs otherwise
  if (segment === '.' || segment === '..') return [...segment].map(() => '%2E')
  const cps = codePoints(segment)
  const units = cps.map((cp) => (mustEncode(cp, kind) ? percent(cp) : String.fromCodePoint(cp)))
  const stem = segment.split('.')[0] ?? ''
  if (RESERVED_NAME.test(stem)) units[0] = percent(cps[0]!)
  const last = units.length - 1
  // Windows drops a trailing dot or space, which would merge `a.` with `a`.
  if (units[last] === '.' || units[last] === ' ') units[last] = percent(cps[last]!)
  // A folder named `x.log` would collide with the log of a file named `x`.
  if (kind === 'dir' && /\.log$/i.test(segment)) units[last - 3] = '%2E'
  // A file ending in `]` or `)` would be ambiguous with the ` [project]` or ` (mode)` suffix.
  if (kind === 'file' && units[last] === ']') units[last] = '%5D'
  if (kind === 'file' && units[last] === ')') units[last] = '%29'
  return units
}

function shorten(units: string[], original: string, suffix: string): string {
  let prefix = ''
  for (const unit of units) {
    if (byteLength(prefix + unit) > SHORTENED_PREFIX_BYTES) break
    prefix += unit
  }
  return `${prefix}%~${wtf8Hash(original, 16)}${suffix}`
}

/**
 * The log path of a test file, relative to the run's `logs/` folder, with `/` separators.
 *
 * @param file the test file as events carry it: a POSIX path relative to rootDir
 * @param project the project that ran it, when the runner has several (Vitest/Jest projects)
 * @param mode how it ran, when the runner runs one file in more than one way
 * @example logPathFor('src/api/user.test.ts') // 'src/api/user.test.ts.log'
 * @example logPathFor('src/a.test.ts', 'chromium') // 'src/a.test.ts [chromium].log'
 * @example logPathFor('src/a.test.ts', undefined, 'typecheck') // 'src/a.test.ts (typecheck).log'
 */
export function logPathFor(file: string, project?: string, mode?: string): string {
  // Modes come from a fixed list; encoded like projects all the same, so no input can collide.
  const modePart = mode ? ` (${encodeUnits(mode, 'project').join('')})` : ''
  const modeKey = mode ? `\0${mode}` : ''
  const segments = file.split('/')
  const names: string[] = []
  segments.forEach((segment, i) => {
    if (i < segments.length - 1) {
      const units = encodeUnits(segment, 'dir')
      const name = units.join('')
      names.push(byteLength(name) > MAX_NAME_BYTES ? shorten(units, 'dir\0' + segment, '') : name)
      return
    }
    const units = encodeUnits(segment, 'file')
    const projectPart = project ? ` [${encodeUnits(project, 'project').join('')}]` : ''
    const name = `${units.join('')}${projectPart}${modePart}.log`
    names.push(
      byteLength(name) > MAX_NAME_BYTES
        ? shorten(units, `file\0${segment}\0${project ?? ''}${modeKey}`, '.log')
        : name,
    )
  })
  const joined = names.join('/')
  if (byteLength(joined) <= MAX_LOG_PATH_BYTES) return joined
  // Too deep for some file systems: one folder per hashed path, keeping the readable file name.
  return `%~/${wtf8Hash(`path\0${file}\0${project ?? ''}${modeKey}`, 16)}/${names[names.length - 1]!}`
}

/**
 * The `file` of an event: `absolute` relative to `rootDir`, with `/` separators.
 * Files outside rootDir keep their `../` prefix; the log-path mapping contains them.
 */
export function toEventFile(rootDir: string, absolute: string, sep: string = pathSep()): string {
  const normalise = (p: string) => (sep === '\\' ? p.replace(/\\/g, '/') : p)
  const root = normalise(rootDir).replace(/\/+$/, '')
  const abs = normalise(absolute)
  if (abs.startsWith(root + '/')) return abs.slice(root.length + 1)
  const rootParts = root.split('/')
  const absParts = abs.split('/')
  let common = 0
  while (
    common < rootParts.length &&
    common < absParts.length &&
    rootParts[common] === absParts[common]
  )
    common++
  if (common === 0) return abs // another drive: keep it absolute; the mapping encodes it
  return [...rootParts.slice(common).map(() => '..'), ...absParts.slice(common)].join('/')
}

function pathSep(): string {
  return process.platform === 'win32' ? '\\' : '/'
}
