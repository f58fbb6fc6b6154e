/** A 32-bit hash of an openId's UTF-16 code units (murmur-style mixing, then a full avalanche). */
export function hashOpenId(openId: string): number {
  let h = 0x9747b28c ^ openId.length;
  for (let i = 0; i < openId.length; i++) h = Math.imul(h ^ openId.charCodeAt(i), 0x5bd1e995);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Entry header: the openId's length in code units, and this bit when they are stored two bytes each. */
const WIDE = 0x8000;

/**
 * An exact set of openIds in compact memory outside V8's heap: an open-addressing table of (hash, offset)
 * pairs, 8 bytes a slot at a load of at most one half, over an arena holding each openId once (2 bytes of
 * header, then one byte per character, or two when it has one above U+00FF). About 30 bytes per 13-character
 * openId. A hash match is confirmed by comparing the stored characters, so a collision never drops anyone.
 * Not a JS Set of strings: that costs about 60 bytes of V8 heap per openId plus the strings themselves, and
 * makes the garbage collector walk a million objects.
 */
export class OpenIdSet {
  #hashes: Uint32Array;
  /** 1 + the entry's offset in the arena; 0 = empty slot. */
  #refs: Uint32Array;
  #mask: number;
  #size = 0;
  #arena: Uint8Array;
  #used = 0;
  readonly #hash: (openId: string) => number;

  /** `hash` is for tests (a constant one makes every openId collide). */
  constructor(hash: (openId: string) => number = hashOpenId) {
    this.#hash = hash;
    this.#hashes = new Uint32Array(1024);
    this.#refs = new Uint32Array(1024);
    this.#mask = 1023;
    this.#arena = new Uint8Array(16 * 1024);
  }

  /** Distinct openIds added. */
  get size(): number {
    return this.#size;
  }

  /** Add `openId`; true when it was not in the set before. */
  add(openId: string): boolean {
    return this.insert(openId) < 0;
  }

  /**
   * Add `openId`: -1 when it was not in the set before (its characters are now the arena's last entry),
   * else the arena offset of the entry that already holds it. Offsets are a deterministic function of the
   * openIds added before, in their order, so they can stand for an openId in a digest of the input.
   */
  insert(openId: string): number {
    const h = this.#hash(openId);
    const hashes = this.#hashes;
    const refs = this.#refs;
    const mask = this.#mask;
    let i = h & mask;
    for (let ref = refs[i] as number; ref !== 0; ref = refs[i] as number) {
      if (hashes[i] === h && this.#equals(ref - 1, openId)) return ref - 1;
      i = (i + 1) & mask;
    }
    hashes[i] = h;
    refs[i] = this.#append(openId) + 1;
    if (++this.#size * 2 > refs.length) this.#grow();
    return -1;
  }

  /** Bytes of the arena used so far: the end of the last entry added. */
  get arenaUsed(): number {
    return this.#used;
  }

  /**
   * The entries added between two `arenaUsed` readings, as stored: per openId a 2-byte header (length,
   * and whether characters are 2 bytes) and its characters. A view, valid until the next add.
   */
  arenaBytes(from: number, to: number): Uint8Array {
    return this.#arena.subarray(from, to);
  }

  #equals(at: number, openId: string): boolean {
    const a = this.#arena;
    const header = (a[at] as number) | ((a[at + 1] as number) << 8);
    const n = openId.length;
    if ((header & ~WIDE) !== n) return false;
    let p = at + 2;
    if (header & WIDE) {
      for (let k = 0; k < n; k++, p += 2) if (((a[p] as number) | ((a[p + 1] as number) << 8)) !== openId.charCodeAt(k)) return false;
    } else {
      for (let k = 0; k < n; k++, p++) if (a[p] !== openId.charCodeAt(k)) return false;
    }
    return true;
  }

  #append(openId: string): number {
    const n = openId.length;
    let wide = false;
    for (let k = 0; k < n && !wide; k++) wide = openId.charCodeAt(k) > 0xff;
    const need = 2 + (wide ? 2 * n : n);
    if (this.#used + need > this.#arena.length) {
      const bigger = new Uint8Array(Math.max(this.#arena.length * 2, this.#used + need));
      bigger.set(this.#arena.subarray(0, this.#used));
      this.#arena = bigger;
    }
    const a = this.#arena;
    const at = this.#used;
    const header = n | (wide ? WIDE : 0);
    a[at] = header & 0xff;
    a[at + 1] = header >>> 8;
    let p = at + 2;
    if (wide) {
      for (let k = 0; k < n; k++, p += 2) {
        const c = openId.charCodeAt(k);
        a[p] = c & 0xff;
        a[p + 1] = c >>> 8;
      }
    } else {
      for (let k = 0; k < n; k++, p++) a[p] = openId.charCodeAt(k);
    }
    this.#used = p;
    return at;
  }

  #grow(): void {
    const oldHashes = this.#hashes;
    const oldRefs = this.#refs;
    const size = oldRefs.length * 2;
    const hashes = new Uint32Array(size);
    const refs = new Uint32Array(size);
    const mask = size - 1;
    for (let j = 0; j < oldRefs.length; j++) {
      const ref = oldRefs[j] as number;
      if (ref === 0) continue;
      const h = oldHashes[j] as number;
      let i = h & mask;
      while (refs[i] !== 0) i = (i + 1) & mask;
      hashes[i] = h;
      refs[i] = ref;
    }
    this.#hashes = hashes;
    this.#refs = refs;
    this.#mask = mask;
  }
}
