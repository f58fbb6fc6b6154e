import type { Worker } from 'bullmq';
import { raceTimeout } from '../shared/timeout.js';

/**
 * Close a BullMQ worker, waiting at most `ms` for the jobs in flight; past that, `onForce` runs and the
 * worker is closed without waiting (those jobs are left to stalled-job recovery, not lost). Resolves true
 * when it had to force.
 */
export async function closeWorkerWithin(worker: Worker, ms: number, onForce?: () => void): Promise<boolean> {
  const timedOut = await raceTimeout(
    worker.close().then(() => false),
    ms,
    () => true,
  );
  if (timedOut) {
    onForce?.();
    await worker.close(true).catch(() => {});
  }
  return timedOut;
}
