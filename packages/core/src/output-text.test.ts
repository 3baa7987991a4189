import { describe, expect, it } from 'vitest'
import { splitText } from './output-text.js'

/** Texts split at 4 UTF-16 units: ASCII, a surrogate pair at the cut, lone surrogates, none. */
const CASES = ['abcdefghij', 'abc😀def', '😀😀😀', 'ab\ud800cdef', 'abc\udc00\ud800', '', 'abcd']

describe('splitText', () => {
  it('splits at UTF-16 units without breaking a pair (output-split.json: Python splits the same)', async () => {
    const vectors = CASES.map((text) => ({ text, max: 4, parts: splitText(text, 4) }))
    for (const { text, parts } of vectors) {
      expect(parts.join('')).toBe(text)
      for (const p of parts) expect(p.length).toBeLessThanOrEqual(4)
    }
    expect(vectors[1]!.parts).toEqual(['abc', '😀de', 'f'])
    await expect(
      '[\n' + vectors.map((v) => '  ' + JSON.stringify(v)).join(',\n') + '\n]\n',
    ).toMatchFileSnapshot('../test-vectors/output-split.json')
  })
})
