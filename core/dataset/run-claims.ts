// One writer per run. A row in run_claims names the process writing a run (pid, host, boot id, the
// process's start time, a heartbeat). A second writer of the same run is refused while that process
// lives; a claim left by a process that died (a crash, kill -9, a reboot) is taken over. WAL needs
// every process on one host, so the pid answers; the heartbeat answers for a claim made under
// another host name (a container sharing the folder), which is stale once it stops beating.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Db } from './open-dataset.ts';
import { DatasetError } from './errors.ts';

export const HEARTBEAT_MS = 15_000;
export const STALE_AFTER_MS = 60_000;

export interface Claim {
  token: string;
  pid: number;
  host: string;
  boot: string | null;
  started: string | null;
  claimedAt: number;
  heartbeatAt: number;
}

/** Claims this process holds, by token, with the connection that holds each. */
const heldHere = new Map<string, Db>();

/**
 * Claim `runId` for this process and return the claim's token. Call inside a write transaction.
 * Throws DatasetError 'busy' when another live process (or another open connection of this one)
 * holds it.
 */
export function claimRun(db: Db, runId: number, label: string): string {
  const current = claimOf(db, runId);
  if (current && isLive(current)) throw new DatasetError('busy', busyMessage(current, runId, label));
  const me = thisProcess();
  const token = randomBytes(12).toString('hex');
  const now = Date.now();
  db.prepare(
    `INSERT OR REPLACE INTO run_claims (run_id, token, pid, host, boot, started, claimed_at, heartbeat_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(runId, token, me.pid, me.host, me.boot, me.started, now, now);
  heldHere.set(token, db);
  return token;
}

/** Remove the claim if it is still this token's. Call inside a write transaction. */
export function releaseClaim(db: Db, runId: number, token: string): boolean {
  heldHere.delete(token);
  return db.prepare('DELETE FROM run_claims WHERE run_id = ? AND token = ?').run(runId, token).changes === 1;
}

export function claimOf(db: Db, runId: number): Claim | undefined {
  return db
    .prepare(
      `SELECT token, pid, host, boot, started, claimed_at AS claimedAt, heartbeat_at AS heartbeatAt
       FROM run_claims WHERE run_id = ?`,
    )
    .get(runId) as Claim | undefined;
}

/** Refresh the heartbeat every HEARTBEAT_MS while the connection is open; returns the stopper. */
export function keepBeating(db: Db, runId: number, token: string): () => void {
  const timer = setInterval(() => {
    if (!db.open) return clearInterval(timer);
    try {
      db.prepare('UPDATE run_claims SET heartbeat_at = ? WHERE run_id = ? AND token = ?').run(
        Date.now(),
        runId,
        token,
      );
    } catch {
      // busy for a moment: the next beat will do; a claim goes stale only after STALE_AFTER_MS
    }
  }, HEARTBEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export function isLive(claim: Claim, now = Date.now()): boolean {
  const me = thisProcess();
  if (claim.host !== me.host) return now - claim.heartbeatAt < STALE_AFTER_MS;
  if (claim.boot && me.boot && claim.boot !== me.boot) return false; // made before a reboot
  if (claim.pid === me.pid) return heldHere.get(claim.token)?.open === true;
  if (!processExists(claim.pid)) return false;
  const started = startTimeOf(claim.pid);
  return !(claim.started && started && claim.started !== started); // else the pid was reused
}

function busyMessage(claim: Claim, runId: number, label: string): string {
  const who =
    claim.pid === process.pid && claim.host === hostname()
      ? 'this process is already writing'
      : `another process (pid ${claim.pid} on ${claim.host}, since ${new Date(claim.claimedAt).toISOString()}) is writing`;
  return (
    `${who} run ${runId} of ${label} (the same command and settings): wait for it to finish or stop it; ` +
    'running the command again afterwards resumes the run'
  );
}

let me: { pid: number; host: string; boot: string | null; started: string | null } | undefined;

function thisProcess(): NonNullable<typeof me> {
  me ??= {
    pid: process.pid,
    host: hostname(),
    boot: readOrNull('/proc/sys/kernel/random/boot_id')?.trim() ?? null,
    started: startTimeOf(process.pid),
  };
  return me;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}

/** Linux: the process's start time in clock ticks since boot (field 22 of /proc/PID/stat). */
function startTimeOf(pid: number): string | null {
  const stat = readOrNull(`/proc/${pid}/stat`);
  if (!stat) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
