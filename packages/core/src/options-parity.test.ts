/**
 * The option decisions every runner must share, as a table both languages read: the TypeScript
 * reporters decide it here (and write it to test-vectors/options.json with `vitest -u`), and the
 * pytest plugin's tests feed the same inputs to its options and require the same decisions.
 */
import { describe, expect, it } from 'vitest'
import { resolveOptions } from './options.js'
import { OPTIONS } from './shared-facts.js'

const HOSTILE = ['²', '٣', ' 5', '5 ', '0x10', '1e3', '-0', '', ' ', '9'.repeat(10_000), '007']
const WORDS = ['true', 'TRUE', 'yes', 'On', ' 0 ', 'no', 'maybe', '']

/** Values to try for an option of each kind, from each place it can be set. */
function valuesFor(kind: string): string[] {
  if (kind === 'count') return [...HOSTILE, '12']
  if (kind === 'boolean') return [...WORDS, ...HOSTILE.slice(0, 4)]
  return ['out', ' ', '', 'a b']
}

interface Case {
  option: string
  env?: string
  config?: string
}

function cases(): Case[] {
  const all: Case[] = []
  for (const o of OPTIONS) {
    for (const value of valuesFor(o.kind)) {
      all.push({ option: o.name, env: value })
      all.push({ option: o.name, config: value })
    }
    // Precedence: both set (good and bad in each order), the environment first.
    const [good, other] =
      o.kind === 'count' ? ['3', '4'] : o.kind === 'boolean' ? ['yes', 'no'] : ['e', 'c']
    all.push({ option: o.name, env: good, config: other })
    all.push({ option: o.name, env: 'bad²', config: other })
    all.push({ option: o.name, env: ' ', config: other })
  }
  return all
}

/** What the TypeScript reporters decide: the value, and where a warning came from (if one did). */
function decide(c: Case): { value: unknown; warned: string | null } {
  const fact = OPTIONS.find((o) => o.name === c.option)!
  const r = resolveOptions(c.config !== undefined ? { [c.option]: c.config } : {}, {
    rootDir: '/r',
    env: c.env !== undefined ? { [fact.env]: c.env } : {},
  })
  const value = (r.options as Record<string, unknown>)[c.option]
  const warning = r.warnings[0]
  return {
    value,
    warned: warning === undefined ? null : warning.includes(`(${fact.env})`) ? 'env' : 'config',
  }
}

describe('option decisions shared with the pytest plugin', () => {
  it('match test-vectors/options.json', async () => {
    const table = cases().map((c) => ({ ...c, ...decide(c) }))
    // One case a line: a table to read across, not a tree.
    const text = '[\n' + table.map((c) => JSON.stringify(c)).join(',\n') + '\n]\n'
    await expect(text).toMatchFileSnapshot('../test-vectors/options.json')
  })

  it('follow the shared precedence: the environment, then the configuration file', () => {
    expect(decide({ option: 'keepRuns', env: '3', config: '4' })).toEqual({
      value: 3,
      warned: null,
    })
    expect(decide({ option: 'keepRuns', env: '²' })).toEqual({ value: 30, warned: 'env' })
    expect(decide({ option: 'keepRuns', env: '9'.repeat(10_000) }).value).toBe(30)
  })
})
