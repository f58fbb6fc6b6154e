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
 * The arena grows by pages of this many bytes, never by copying: on this machine kind touching a fresh
 * memory page costs about 13 µs (a 64 MB first touch takes 215 ms), so a doubling arena, which touches
 * every byte it ever held once more at each copy, costs about twice the faults of one written once.
 * A position is page * PAGE + offset; an entry never straddles two pages.
 */
const PAGE_BITS = 20;
const PAGE = 1 << PAGE_BITS;
const OFFSET_MASK = PAGE - 1;

/**
 * An exact set of openIds in compact memory outside V8's heap: an open-addressing table of (hash, offset)
 * pairs, 8 bytes a slot at a load of at most one half, over an arena of 1 MB pages holding each openId once
 * (2 bytes of header, then one byte per character, or two when it has one above U+00FF). About 30 bytes per 13-character
 * openId. A hash match is confirmed by comparing the stored characters, so a collision never drops anyone.
 * Not a JS Set of strings: that costs about 60 bytes of V8 heap per openId plus the strings themselves, and
 * makes the garbage collector walk a million objects.
 */
export class OpenIdSet {
  #hashes: Uint32Array;
  /** 1 + the entry's position in the arena; 0 = empty slot. */
  #refs: Uint32Array;
  #mask: number;
  #size = 0;
  readonly #pages: Uint8Array[] = [];
  /** Where each full page's entries end (the current page's end is `#offset`). */
  readonly #ends: number[] = [];
  #page: Uint8Array;
  #offset = 0;
  readonly #hash: (openId: string) => number;

  /** `hash` is for tests (a constant one makes every openId collide). */
  constructor(hash: (openId: string) => number = hashOpenId) {
    this.#hash = hash;
    this.#hashes = new Uint32Array(1024);
    this.#refs = new Uint32Array(1024);
    this.#mask = 1023;
    this.#page = new Uint8Array(PAGE);
    this.#pages.push(this.#page);
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
   * else the arena position of the entry that already holds it. Positions are a deterministic function of the
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

  /** The arena position after the last entry added. */
  get arenaUsed(): number {
    return (this.#pages.length - 1) * PAGE + this.#offset;
  }

  /**
   * The entries added between two `arenaUsed` readings, as stored, in order: per openId a 2-byte header
   * (length, and whether characters are 2 bytes) and its characters. Views, valid until the next add; one
   * per page the entries are on.
   */
  arenaBytes(from: number, to: number): Uint8Array[] {
    const views: Uint8Array[] = [];
    const last = Math.floor(to / PAGE);
    for (let p = Math.floor(from / PAGE); p <= last; p++) {
      const start = p === Math.floor(from / PAGE) ? from % PAGE : 0;
      const end = p === last ? to % PAGE : (this.#ends[p] as number);
      if (end > start) views.push((this.#pages[p] as Uint8Array).subarray(start, end));
    }
    return views;
  }

  #equals(at: number, openId: string): boolean {
    const a = this.#pages[Math.floor(at / PAGE)] as Uint8Array;
    let p = at & OFFSET_MASK;
    const header = (a[p] as number) | ((a[p + 1] as number) << 8);
    const n = openId.length;
    if ((header & ~WIDE) !== n) return false;
    p += 2;
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
    if (need > PAGE) throw new RangeError(`an openId of ${n} characters does not fit the de-duplication arena`);
    if (this.#offset + need > PAGE) {
      // Positions (plus one) are kept in 32 bits.
      if (this.#pages.length >= 4_095) throw new RangeError('the de-duplication arena is full (4 GB of openIds)');
      this.#ends.push(this.#offset);
      this.#page = new Uint8Array(PAGE);
      this.#pages.push(this.#page);
      this.#offset = 0;
    }
    const a = this.#page;
    const at = this.#offset;
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
    this.#offset = p;
    return (this.#pages.length - 1) * PAGE + at;
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
