import { createHash } from 'node:crypto';
import type { RecipientEntry } from '../shared/recipient.js';
import { OpenIdSet } from './openid-set.js';

/** Marks a digest of this encoding, so a resume can tell it from one an older version checkpointed. */
const DIGEST_VERSION = 'd2.';

/**
 * What a campaign run has read, batch by batch: the exact set of openIds (for de-duplication) and a digest
 * of the records in their order (for the resume check). A resume that reads the same records again builds
 * the same ledger, so its digest matches the checkpoint's.
 */
export class ReadLedger {
  readonly #seen = new OpenIdSet();
  #digest = '';

  /** Digest of every record taken so far. */
  get digest(): string {
    return this.#digest;
  }

  /** Whether `digest` (from a checkpoint) is of this encoding, so comparing it with ours means something. */
  static comparable(digest: string): boolean {
    return digest.startsWith(DIGEST_VERSION);
  }

  /**
   * Take one batch: returns its recipients not read before, in order, and chains the batch into the
   * digest. The digest covers the count; the new openIds' characters as the de-dup set stored them
   * (length-prefixed, so unambiguous); each repeat's position and the offset of the entry it repeats (a
   * function of the records before it); and position, zone and language of the records that name them.
   * That is the same information as the records themselves, without a string per record: the set has
   * already copied every new openId's characters.
   */
  take(recipients: RecipientEntry[]): RecipientEntry[] {
    const seen = this.#seen;
    const from = seen.arenaUsed;
    // The batch itself until its first repeat (a list without repeats is not copied).
    let fresh: RecipientEntry[] | undefined;
    const repeats: string[] = [];
    const extras: string[] = [];
    for (let i = 0; i < recipients.length; i++) {
      const r = recipients[i] as RecipientEntry;
      const found = seen.insert(typeof r === 'string' ? r : r.openId);
      if (found < 0) fresh?.push(r);
      else {
        fresh ??= recipients.slice(0, i);
        repeats.push(`${i}:${found}`);
      }
      if (typeof r !== 'string') extras.push(`${i},${r.timezone ?? ''},${r.language ?? ''}`);
    }
    const hash = createHash('sha256').update(`${this.#digest}|${recipients.length}|`);
    for (const bytes of seen.arenaBytes(from, seen.arenaUsed)) hash.update(bytes);
    this.#digest = `${DIGEST_VERSION}${hash.update(`|${repeats.join(';')}|${extras.join(';')}`).digest('hex').slice(0, 32)}`;
    return fresh ?? recipients;
  }
}
