/** Slots of the scratch table: a power of two, at least twice the longest list it takes. */
const SLOTS = 512;
const MASK = SLOTS - 1;
const LONGEST = SLOTS / 2;

// One table for every call, reused: the check runs on every delivery, and a fresh Set of 100 strings per job
// (with its growth) costs about three times as much. A slot is taken when its stamp is this call's.
const stamps = new Uint32Array(SLOTS);
const positions = new Uint16Array(SLOTS);
let call = 0;

/**
 * Whether `list` holds no string twice (exactly: a hash match is confirmed with ===). Synchronous and not
 * re-entrant, which a single-threaded check of job data never needs. Lists longer than a request's
 * (more than 256) go to a Set.
 */
export function allDistinct(list: readonly string[]): boolean {
  const n = list.length;
  if (n > LONGEST) return new Set(list).size === n;
  if (++call === 0xffffffff) {
    stamps.fill(0);
    call = 1;
  }
  for (let j = 0; j < n; j++) {
    const s = list[j] as string;
    let h = 0x9747b28c ^ s.length;
    for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x5bd1e995);
    h ^= h >>> 15;
    let i = h & MASK;
    while (stamps[i] === call) {
      if (list[positions[i] as number] === s) return false;
      i = (i + 1) & MASK;
    }
    stamps[i] = call;
    positions[i] = j;
  }
  return true;
}
