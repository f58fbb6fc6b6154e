/**
 * Whether a list of strings holds no duplicate, checked without building a Set. A Set of a send's 100
 * openIds costs 6 to 10 µs (it hashes every character of every id and grows its table five times), more
 * than all the other checks of a notification together and a sixth of a bare BullMQ add. Here each id is
 * hashed from its length and six of its characters into one reused open-addressing table, and compared in
 * full only with the ids it lands beside: as exact as a Set, with the same answer on any input; ids that
 * share those six characters only probe further (slower, never wrong). Shared: the producer checks a
 * send's openIds with it at the edge, and the worker every job's again when it picks the job up.
 */

/** Lists longer than this use a Set: the table stays at most half full. */
export const MAX_TABLE_IDS = 4_096;
const SLOTS = MAX_TABLE_IDS * 2;
const MASK = SLOTS - 1;
/** Slot s holds index `index[s]` of the current list when `stamp[s]` is the current generation. */
const index = new Int32Array(SLOTS);
const stamp = new Uint32Array(SLOTS);
let generation = 0;

function hash(id: string): number {
  const n = id.length;
  // charCodeAt beyond the string is NaN, which the bitwise operations read as 0.
  let h = Math.imul(n ^ id.charCodeAt(n - 1), 0x9e3779b1);
  h = Math.imul(h ^ id.charCodeAt(n - 2), 0x85ebca6b);
  h = Math.imul(h ^ id.charCodeAt(n - 3), 0xc2b2ae35);
  h = Math.imul(h ^ id.charCodeAt(n - 4), 0x27d4eb2f);
  h = Math.imul(h ^ id.charCodeAt(n >> 1), 0x165667b1);
  h = Math.imul(h ^ id.charCodeAt(0), 0x9e3779b1);
  return (h ^ (h >>> 15)) & MASK;
}

export function allDistinct(ids: readonly string[]): boolean {
  if (ids.length > MAX_TABLE_IDS) return new Set(ids).size === ids.length;
  generation = (generation + 1) >>> 0;
  if (generation === 0) {
    // Once in 2^32 lists: old stamps could read as current.
    stamp.fill(0);
    generation = 1;
  }
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as string;
    let s = hash(id);
    while (stamp[s] === generation) {
      if (ids[index[s] as number] === id) return false;
      s = (s + 1) & MASK;
    }
    stamp[s] = generation;
    index[s] = i;
  }
  return true;
}
