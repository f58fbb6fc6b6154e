import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';

/**
 * Profiles of the timed part of one contender's run only, for bench/prof-dispatch.ts: with DRAIN_PROF=<dir>
 * a CPU profile, with DRAIN_ALLOC=<dir> a sampling allocation profile (collected objects included), each
 * written as `<dir>/<contender>-<time>.cpuprofile|.heapprofile`. A whole-process profile mixes in the
 * queueing before each drain, which is not the worker's cost. Without either variable both calls do nothing.
 */
let session: Session | undefined;

async function connected(): Promise<Session> {
  if (!session) {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
  }
  return session;
}

export async function startDrainProfile(): Promise<void> {
  if (process.env.DRAIN_ALLOC) {
    const s = await connected();
    await s.post('HeapProfiler.startSampling', { samplingInterval: 2048, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  }
  if (process.env.DRAIN_PROF) await (await connected()).post('Profiler.start');
}

export async function stopDrainProfile(contender: string): Promise<void> {
  if (process.env.DRAIN_ALLOC) {
    const { profile } = await (await connected()).post('HeapProfiler.stopSampling');
    writeFileSync(`${process.env.DRAIN_ALLOC}/${contender}-${Date.now()}.heapprofile`, JSON.stringify(profile));
  }
  if (process.env.DRAIN_PROF) {
    const { profile } = await (await connected()).post('Profiler.stop');
    writeFileSync(`${process.env.DRAIN_PROF}/${contender}-${Date.now()}.cpuprofile`, JSON.stringify(profile));
  }
}
