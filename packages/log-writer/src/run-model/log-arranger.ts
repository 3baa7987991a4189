/**
 * The order of one file's log: each test's start, output and result together, wherever the
 * runner ran the tests one after another, while the log stays live.
 *
 * Runners report a test's parts out of step: Vitest sends console output at once and a test's
 * start and result in batches, so the next test's output can arrive before this one's result.
 * Each test's lines are therefore kept as a block. The first block (the head) is written as its
 * lines arrive; the blocks behind it wait until the head has ended, and then are written whole,
 * in the order they began. Tests that run at the same time do not wait for each other: a block
 * whose test ends while another is at the head, or that waited longer than {@link HOLD_MS}, is
 * written at once, and a test's later lines are then marked `· output of <test>` where they
 * follow another test's. Output that arrives after its test's result (Jest's workers hand live
 * output over through side files) waits behind the block being written when it arrived, and
 * follows it, marked; it is never written inside another test's block.
 *
 * Time is the events' own (`time`), never the clock on the wall, so a replay of events.jsonl
 * arranges every log exactly as the live run did.
 */
import { attributionLine, outputText } from './log-format.js'

/** Longest a block waits behind the head, in milliseconds of the events' time. */
export const HOLD_MS = 300

/** The log's last line is not any test's output (a header, a result): the next output is marked. */
const UNMARKED = Symbol('unmarked')

interface Block {
  /** The test whose lines these are; null for output of no test. */
  owner: string | null
  name: string | undefined
  text: string
  atLineStart: boolean
  /** The block opens with its test's start line (no marker needed). */
  begun: boolean
  /** Time of its first line. */
  firstAt: number
  /** Its test has ended (or it is output of no running test): nothing more will join it. */
  ended: boolean
  /** Its last line is its test's result. */
  result?: boolean
}

export class LogArranger {
  private attributed: string | null | typeof UNMARKED = UNMARKED
  private atLineStart = true
  /** The block whose text was written last: its next text follows on as it is. */
  private last: Block | undefined
  private readonly queue: Block[] = []
  /** The block of each owner still in the queue, while its test has not ended. */
  private readonly open = new Map<string | null, Block>()
  /** Lines that waited behind another block were given out since {@link takeWaited}. */
  private waited = false

  /** A test started: its start line opens a block of its own. Returns the text to write now. */
  start(owner: string, name: string, line: string, time: number): string {
    const before = this.due(time)
    const block: Block = {
      owner,
      name,
      text: line,
      atLineStart: true,
      begun: true,
      firstAt: time,
      ended: false,
    }
    this.queue.push(block)
    this.open.set(owner, block)
    return before + this.due(time)
  }

  /**
   * Output of a test (or of none: null). `running` says whether its test has started and not
   * ended; output of a test that ended arrived late and waits for nothing more.
   */
  output(
    owner: string | null,
    name: string | undefined,
    text: string,
    stream: 'stdout' | 'stderr',
    running: boolean,
    time: number,
  ): string {
    const before = this.due(time)
    let block = this.open.get(owner)
    if (!block) {
      const ended = !running || owner === null
      block = { owner, name, text: '', atLineStart: true, begun: false, firstAt: time, ended }
      this.queue.push(block)
      if (!ended) this.open.set(owner, block)
    }
    const out = outputText(text, stream, block.atLineStart)
    block.text += out.text
    block.atLineStart = out.atLineStart
    return before + this.due(time)
  }

  /** A test's result closes its block. */
  end(owner: string, name: string, lines: string, time: number): string {
    const before = this.due(time)
    let block = this.open.get(owner)
    if (!block) {
      block = { owner, name, text: '', atLineStart: true, begun: true, firstAt: time, ended: true }
      this.queue.push(block)
    }
    this.open.delete(owner)
    block.ended = true
    block.text += (block.atLineStart ? '' : '\n') + lines
    block.atLineStart = true
    block.result = true
    if (this.queue[0] !== block) {
      // It ran beside the head and ended first: written now, and the head goes on after it.
      this.queue.splice(this.queue.indexOf(block), 1)
      return before + this.release(block) + this.due(time)
    }
    return before + this.due(time)
  }

  /** Everything still held, then `text` (a file's result): the file is done. */
  close(text: string): string {
    let out = ''
    while (this.queue.length) out += this.release(this.queue.shift()!)
    this.open.clear()
    return out + this.plain(text)
  }

  /** Whether lines given out since the last call had waited behind another block (and so are
   * due at once, not after the usual short delay). */
  takeWaited(): boolean {
    const waited = this.waited
    this.waited = false
    return waited
  }

  /** Some lines are held behind the head. */
  get holding(): boolean {
    return this.queue.length > 1
  }

  /** What can be written at `now`: the head's new lines, and the blocks whose turn has come. */
  due(now: number): string {
    let out = ''
    for (let turn = 0; ; turn++) {
      const head = this.queue[0]
      if (!head) return out
      const text = this.release(head)
      // Past the first turn, a block whose turn has just come: its lines waited already.
      if (turn > 0 && text) this.waited = true
      out += text
      const overdue = this.queue.length > 1 && now >= this.queue[1]!.firstAt + HOLD_MS
      if (!head.ended && !overdue) return out
      this.queue.shift()
      if (this.open.get(head.owner) === head) this.open.delete(head.owner)
    }
  }

  /** A block's text so far (the head's, as it streams). */
  private release(block: Block): string {
    if (!block.text) return ''
    let out = ''
    if (this.last !== block) {
      if (!this.atLineStart) out += '\n'
      if (!block.begun && block.owner !== this.attributed) out += attributionLine(block.name)
    }
    out += block.text
    this.last = block
    this.atLineStart = block.atLineStart
    // After a result line, the next output (whoever printed it) gets its marker.
    this.attributed = block.result ? UNMARKED : block.owner
    // Its next lines follow on as they are while nothing else is written in between.
    block.begun = false
    block.text = ''
    return out
  }

  /** Text of the file itself (its result, or that it did not finish): after everything held. */
  private plain(text: string): string {
    const out = (this.atLineStart ? '' : '\n') + text
    this.atLineStart = true
    this.last = undefined
    this.attributed = UNMARKED
    return out
  }
}
