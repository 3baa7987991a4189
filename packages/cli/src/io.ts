/**
 * How the command talks: its streams, colour, its own name in messages, and the two errors a
 * command throws (bad usage: exit 2 with help; a failed command: exit 1).
 */
import { styleText } from 'node:util'
import { progName } from '@threepio/log-writer'

/** Where the command writes: replaceable in tests. */
export interface CliIo {
  out: (text: string) => void
  err: (text: string) => void
  env: Record<string, string | undefined>
  cwd: string
  /** Colour status words on stdout (default: decided by {@link wantsColor} for stdout). */
  color?: boolean
}

export const defaultIo = (): CliIo => {
  endQuietlyWhenReaderGoes(process.stdout)
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    color: wantsColor(process.stdout, process.env),
  }
}

/**
 * A reader that goes away (`threepio ls | head -1`) ends the command at once, quietly and with
 * status 0, as `git log | head` ends: nothing is left to say to anyone.
 */
function endQuietlyWhenReaderGoes(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0)
    throw err
  })
}

/**
 * Colour as terminal tools do: FORCE_COLOR (any value but 0/false) turns it on, NO_COLOR
 * turns it off, else a terminal that has colours gets them (Node's own check, which also
 * knows TERM=dumb).
 */
export function wantsColor(
  stream: { isTTY?: boolean; hasColors?: () => boolean },
  env: Record<string, string | undefined>,
): boolean {
  const force = env.FORCE_COLOR
  if (force !== undefined) return force !== '0' && force !== 'false'
  if (env.NO_COLOR) return false
  return stream.isTTY === true && (stream.hasColors?.() ?? false)
}

const STATUS_STYLE: Record<string, Parameters<typeof styleText>[0]> = {
  PASSED: 'green',
  FAILED: 'red',
  ERROR: 'red',
  INTERRUPTED: 'yellow',
  INCOMPLETE: 'yellow',
  RUNNING: 'cyan',
}

/** `text` (which starts with a status word) with the word coloured when `io` wants colour. */
export function paintStatus(io: CliIo, text: string): string {
  if (!io.color) return text
  const word = /^[A-Z]+/.exec(text)?.[0] ?? ''
  const style = STATUS_STYLE[word]
  if (!style) return text
  // validateStream: false — whether to colour was decided above, for the stream written to.
  const paint = styleText as (f: typeof style, t: string, o?: { validateStream: boolean }) => string
  return paint(style, word, { validateStream: false }) + text.slice(word.length)
}

/** Our own text with `{prog}` replaced by {@link progName}. */
export function withProg(io: CliIo, text: string): string {
  return text.replaceAll('{prog}', progName(io.env))
}

export class UsageError extends Error {}
export class CommandError extends Error {}
