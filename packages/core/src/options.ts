/**
 * The options every reporter takes, validated once for all of them: the environment, then the
 * reporter's options object (the configuration file), then defaults, as OPTION_PRECEDENCE says
 * for every runner. A bad value never stops a
 * run: it becomes one warning that names the option, where it was set, the value and what was
 * expected, and the default is used. The rules and wording come from shared-facts.ts, which the
 * Python plugin reads too.
 */
import { isAbsolute, join, resolve as resolvePath } from 'node:path'
import { closest, distance } from 'fastest-levenshtein'
import {
  BAD_OPTION_MESSAGE,
  BOOLEAN_WORDS,
  OPTION_EXPECTED,
  OPTION_TEXT,
  OPTIONS,
  type OptionFact,
} from './shared-facts.js'

/** Options of every threepio reporter. */
export interface ThreepioOptions {
  /** Output root (`THREEPIO_DIR` wins), else `<rootDir>/.3pio`. An empty value means unset. */
  outputDir?: string
  /** Runs kept; 0 keeps all (`THREEPIO_KEEP_RUNS` wins), else 30. */
  keepRuns?: number
  /** No closing line on stderr (`THREEPIO_QUIET` wins), else false. */
  quiet?: boolean
  /** Also write the run as JUnit XML to this file at run end (relative to the root). */
  junit?: string
  /** Also write the run as a CTRF report to this file at run end (relative to the root). */
  ctrf?: string
  /** Under GitHub Actions, an error annotation per failing test. Default true. */
  githubAnnotations?: boolean
  /** Under GitHub Actions, test-run.md appended to the step summary. Default true. */
  githubSummary?: boolean
}

/** {@link ThreepioOptions} with every value decided; paths absolute, '' for an export not asked. */
export type ResolvedOptions = Required<ThreepioOptions>

export interface OptionsContext {
  /** Project root: a relative outputDir is under it. */
  rootDir: string
  /** Environment (default process.env). */
  env?: Record<string, string | undefined>
  /** What the options object is called in messages (default "reporter option"). */
  source?: string
  /** Further keys the caller's options object may hold (not warned about). */
  otherKeys?: readonly string[]
}

export interface OptionsResult {
  options: ResolvedOptions
  /** One message per problem, without a prefix; the caller adds `threepio: warning: `. */
  warnings: string[]
}

/** How a value appears in a message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (value === null || typeof value !== 'object') return String(value)
  try {
    return JSON.stringify(value)
  } catch {
    return Object.prototype.toString.call(value)
  }
}

/** The shared warning for a bad value. */
export function badOptionMessage(option: OptionFact, where: string, value: unknown): string {
  return BAD_OPTION_MESSAGE.replace('{name}', option.name)
    .replace('{where}', where)
    .replace('{expected}', OPTION_EXPECTED[option.kind])
    .replace('{value}', describeValue(value))
    .replace('{fallback}', option.fallback)
}

/** " Did you mean X?" for a near miss among `known`, or "". */
export function didYouMean(given: string, known: readonly string[]): string {
  if (!known.length) return ''
  const best = closest(given, [...known])
  const lower = closest(
    given.toLowerCase(),
    known.map((k) => k.toLowerCase()),
  )
  const near =
    distance(given, best) <= Math.max(2, Math.floor(best.length / 3)) ||
    given.toLowerCase() === lower ||
    best.toLowerCase().includes(given.toLowerCase())
  return near ? ` Did you mean "${best}"?` : ''
}

type Parsed = { ok: true; value: string | number | boolean } | { ok: false }

const COUNT = new RegExp(OPTION_TEXT.countPattern)
const BLANKS = new Set(OPTION_TEXT.blanks)

/** Text without the blanks around it that every reader ignores. */
function stripBlanks(text: string): string {
  let start = 0
  let end = text.length
  while (start < end && BLANKS.has(text[start]!)) start++
  while (end > start && BLANKS.has(text[end - 1]!)) end--
  return text.slice(start, end)
}

/** A value of the option's kind, from a reporter option (typed) or a string (env, ini). */
function parse(option: OptionFact, value: unknown): Parsed {
  switch (option.kind) {
    case 'path':
      return typeof value === 'string' ? { ok: true, value } : { ok: false }
    case 'count': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && COUNT.test(stripBlanks(value))
            ? Number(stripBlanks(value))
            : NaN
      return Number.isInteger(n) && n >= 0 && n <= OPTION_TEXT.maxCount
        ? { ok: true, value: n }
        : { ok: false }
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value }
      const word = typeof value === 'string' ? stripBlanks(value).toLowerCase() : undefined
      if ((BOOLEAN_WORDS.true as readonly (string | undefined)[]).includes(word))
        return { ok: true, value: true }
      if ((BOOLEAN_WORDS.false as readonly (string | undefined)[]).includes(word))
        return { ok: true, value: false }
      return { ok: false }
    }
  }
}

/** An empty string (or only blanks) means the option is not set there. */
function isUnset(value: unknown): boolean {
  return value === undefined || (typeof value === 'string' && stripBlanks(value) === '')
}

/** Validates `given` (a reporter's options, possibly anything) against the environment. */
export function resolveOptions(given: unknown, context: OptionsContext): OptionsResult {
  const env = context.env ?? process.env
  const source = context.source ?? 'reporter option'
  const warnings: string[] = []
  let explicit: Record<string, unknown> = {}
  if (given !== undefined && given !== null) {
    if (typeof given === 'object' && !Array.isArray(given)) {
      explicit = given as Record<string, unknown>
    } else {
      warnings.push(
        `the reporter's options must be an object such as { outputDir: '.3pio' }; received ${describeValue(given)}; using the defaults`,
      )
    }
  }
  const names = OPTIONS.map((o) => o.name as string)
  for (const key of Object.keys(explicit)) {
    if (names.includes(key) || context.otherKeys?.includes(key)) continue
    warnings.push(
      `unknown ${source} "${key}", ignored.${didYouMean(key, [...names, ...(context.otherKeys ?? [])])} The options are ${names.join(', ')}.`,
    )
  }
  const decided: Record<string, string | number | boolean> = {}
  for (const option of OPTIONS) {
    // OPTION_PRECEDENCE: the environment, then the configuration file (reporters have no flag).
    const candidates: Array<[where: string, value: unknown]> = [
      [option.env, env[option.env]],
      [source, explicit[option.name]],
    ]
    decided[option.name] = option.default
    for (const [where, value] of candidates) {
      if (isUnset(value)) continue
      const parsed = parse(option, value)
      if (parsed.ok) decided[option.name] = parsed.value
      else warnings.push(badOptionMessage(option, where, value))
      break
    }
  }
  const dir = decided.outputDir as string
  return {
    options: {
      outputDir: isAbsolute(dir) ? dir : join(context.rootDir, dir),
      keepRuns: decided.keepRuns as number,
      quiet: decided.quiet as boolean,
      junit: decided.junit ? resolvePath(context.rootDir, decided.junit as string) : '',
      ctrf: decided.ctrf ? resolvePath(context.rootDir, decided.ctrf as string) : '',
      githubAnnotations: decided.githubAnnotations as boolean,
      githubSummary: decided.githubSummary as boolean,
    },
    warnings,
  }
}

/** A file-system error as a person reads it: "permission denied (EACCES)", with the path. */
export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException
  const what = e.code ? (FS_ERRORS[e.code] ?? e.code) : undefined
  if (!what) return e.message ?? String(err)
  const detail = FS_ERRORS[e.code!] ? `${what} (${e.code})` : what
  return e.path ? `${e.syscall ?? 'access'} ${e.path}: ${detail}` : detail
}

const FS_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'already exists',
  EISDIR: 'is a directory',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  ENAMETOOLONG: 'name too long',
}
