/**
 * The code a run ran: the git commit of its root, whether the working tree differed from it, and
 * a digest of the difference (tracked changes and untracked files, contents included). Two runs
 * ran the same code when commit and digest are equal. Nothing where there is no git.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface CodeState {
  commit: string
  /** The working tree differed from the commit (tracked changes or untracked files). */
  dirty: boolean
  /** Digest of the difference; empty when the tree is clean. */
  digest: string
}

/** git's answers are bounded: a command that takes longer is given up (no code state). */
const GIT_TIMEOUT_MS = 10_000
/** Untracked files read into the digest; beyond these, their names and sizes stand in. */
const MAX_UNTRACKED_BYTES = 16 * 1024 * 1024

function git(root: string, args: string[]): Buffer | undefined {
  const r = spawnSync('git', ['-C', root, ...args], {
    timeout: GIT_TIMEOUT_MS,
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
    windowsHide: true,
  })
  return r.status === 0 && r.stdout ? r.stdout : undefined
}

/** The code state of `root`, or null when it is not in a git work tree (or git is missing). */
export function codeState(root: string): CodeState | null {
  const head = git(root, ['rev-parse', '--verify', '-q', 'HEAD'])
  if (!head) return null
  const commit = head.toString('utf8').trim()
  const status = git(root, ['status', '--porcelain=v1', '-z', '--untracked-files=all'])
  if (status === undefined) return null
  if (!status.length) return { commit, dirty: false, digest: '' }
  const hash = createHash('sha256')
  const diff = git(root, ['diff', 'HEAD', '--binary', '--no-ext-diff', '--no-color'])
  hash.update(diff ?? 'no diff\0')
  const top = git(root, ['rev-parse', '--show-toplevel'])?.toString('utf8').trim() ?? root
  let budget = MAX_UNTRACKED_BYTES
  for (const entry of status.toString('utf8').split('\0')) {
    if (!entry.startsWith('?? ')) continue
    const path = entry.slice(3)
    hash.update(`\0untracked\0${path}\0`)
    try {
      const content = budget > 0 ? readFileSync(join(top, path)) : undefined
      if (content) {
        budget -= content.length
        hash.update(content)
      }
    } catch {
      hash.update('unreadable')
    }
  }
  return { commit, dirty: true, digest: hash.digest('hex').slice(0, 16) }
}

/** Same commit and same difference from it. */
export const sameCode = (a: CodeState | null | undefined, b: CodeState | null | undefined) =>
  !!a && !!b && a.commit === b.commit && a.digest === b.digest
