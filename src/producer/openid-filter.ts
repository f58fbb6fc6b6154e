/** 2^25 bits = 4 MB, whatever the audience: memory stays flat, only the false-positive rate grows. */
const WORDS = 1 << 20;
/** 512-bit blocks: every bit of one openId lies in one 64-byte cache line. */
const BLOCK_MASK = (WORDS >>> 4) - 1;
const BITS_PER_ID = 6;

/**
 * A Bloom filter of openIds, fixed at 4 MB. It answers "surely not added before" for almost every new
 * openId, so only the rest need an exact look-up in Redis. Measured with 32-character openIds: 0.01%
 * false positives after 1,000,000 openIds, 0.8% after 3,000,000, a third after 10,000,000 (a false
 * positive only costs that look-up).
 */
export class OpenIdFilter {
  readonly #words = new Uint32Array(WORDS);

  /** Add `openId`; false when it was surely not added before, true when it may have been. */
  add(openId: string): boolean {
    // Two 32-bit multiplicative hashes in one pass over the characters: one picks the block, the other
    // the bits in it.
    let a = 0x9747b28c ^ openId.length;
    let b = 0x85ebca6b;
    for (let i = 0; i < openId.length; i++) {
      const c = openId.charCodeAt(i);
      a = Math.imul(a ^ c, 0x5bd1e995);
      b = Math.imul(b ^ c, 0x1b873593);
    }
    a ^= a >>> 15;
    a = Math.imul(a, 0xc2b2ae35);
    a ^= a >>> 13;
    b ^= b >>> 16;
    b = Math.imul(b, 0x85ebca6b);
    b ^= b >>> 13;
    const base = (a & BLOCK_MASK) << 4;
    let present = true;
    for (let j = 0; j < BITS_PER_ID; j++, b = (b >>> 9) | (b << 23)) {
      const bit = b & 511;
      const w = base + (bit >>> 5);
      const mask = 1 << (bit & 31);
      const word = this.#words[w] as number;
      if ((word & mask) === 0) {
        present = false;
        this.#words[w] = word | mask;
      }
    }
    return present;
  }
}
