/**
 * `THREEPIO_SIMULATE_FAULT`: makes threepio's own writes fail the way a full or failing disk
 * does, so that fault handling can be tested through real test runners. For testing only: an
internal module of this package (the recorder, the recording thread and `threepio ingest` read
the variable), exported from neither package's entry points.
 *
 * Format: `CODE[@AFTER[+COUNT]]`. The first AFTER writes (default 0) succeed; the next COUNT
 * writes (default: every one from then on) throw an error with `code` CODE, e.g. `ENOSPC`,
 * `EIO`. `ENOSPC@20` is a disk that fills up after 20 writes and stays full; `EIO@5+3` is a
 * disk that fails three writes and recovers. `HANG` in place of an error code makes each covered
 * write wait the shared facts' `simulatedHangMs` and then succeed: a disk that stops answering for a while
 * (`HANG@0+1`: the first write hangs). Each process (and each thread) counts its own writes.
 */
import * as nodeFs from 'node:fs'
import { sharedFacts, writeFileAtomicSync, type WriterFs } from '@threepio/core'
import type { RunDirectoryFs } from './run-directory.js'

export const SIMULATE_FAULT_ENV = 'THREEPIO_SIMULATE_FAULT'

export interface SimulatedFault {
  code: string
  after: number
  count: number
}

const FORMAT = /^([A-Z][A-Z0-9]*)(?:@(\d+)(?:\+(\d+))?)?$/

/** Parses `CODE[@AFTER[+COUNT]]`; throws a readable error for anything else. */
export function parseSimulatedFault(spec: string): SimulatedFault {
  const m = FORMAT.exec(spec.trim())
  if (!m)
    throw new Error(
      `${SIMULATE_FAULT_ENV}=${JSON.stringify(spec)} is not CODE[@AFTER[+COUNT]] (e.g. ENOSPC@20 or EIO@5+3); unset it to write normally`,
    )
  return {
    code: m[1]!,
    after: m[2] === undefined ? 0 : Number(m[2]),
    count: m[3] === undefined ? Infinity : Number(m[3]),
  }
}

/** The fault asked for in the environment, if any. */
export function simulatedFaultFromEnv(
  env: Record<string, string | undefined> = process.env,
): SimulatedFault | undefined {
  const spec = env[SIMULATE_FAULT_ENV]
  return spec ? parseSimulatedFault(spec) : undefined
}

/** Counts writes and fails those the fault covers. */
export class FaultGate {
  private writes = 0
  constructor(readonly fault: SimulatedFault) {}

  /** Call before each write: throws when this write is to fail. */
  check(): void {
    const n = this.writes++
    const { code, after, count } = this.fault
    if (n < after || n - after >= count) return
    if (code === 'HANG') {
      // The Python plugin waits as long: both read it from the shared facts.
      const ms = sharedFacts().simulatedHangMs as number
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
      return
    }
    throw Object.assign(new Error(`${code}: simulated by ${SIMULATE_FAULT_ENV}`), { code })
  }
}

/** node:fs for the event-log writer, with every data write passed through `gate`. */
export function faultyWriterFs(gate: FaultGate): WriterFs {
  const fs = nodeFs as unknown as WriterFs
  return {
    ...fs,
    writeSync: (fd, buffer, offset, length) => {
      gate.check()
      return fs.writeSync(fd, buffer, offset, length)
    },
  }
}

/** The run directory's writes, each passed through `gate`. */
export function faultyRunDirectoryFs(gate: FaultGate): RunDirectoryFs {
  return {
    appendFileSync: (p, d) => {
      gate.check()
      nodeFs.appendFileSync(p, d)
    },
    mkdirSync: (p, o) => nodeFs.mkdirSync(p, o),
    writeFileAtomicSync: (p, d, durable) => {
      gate.check()
      writeFileAtomicSync(p, d, { fsync: durable })
    },
  }
}
