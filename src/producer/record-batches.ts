import { BrokenRule, type RecipientEntry } from '../shared/recipient.js';

/** A record broke a rule; `index` is its 0-based record number. The caller words the error. */
export class RecipientRuleError extends Error {
  readonly index: number;
  readonly rule: string;
  constructor(index: number, rule: string) {
    super(`recipients.${index}: ${rule}`);
    this.name = 'RecipientRuleError';
    this.index = index;
    this.rule = rule;
  }
}

/** Turns one input record into a recipient, or returns the rule it breaks. */
export type NormalizeRecord = (record: unknown) => RecipientEntry | BrokenRule;

export interface RecordBatch {
  /** Normalised recipients, repeats included, in input order. */
  recipients: RecipientEntry[];
  /** Every one of them is a bare openId (no zone, no language): the planner can use them as they are. */
  bare: boolean;
  /** Record number (0-based) of the first of them. */
  firstIndex: number;
  /** True for records a resumed campaign already consumed: re-read only to rebuild the run's state. */
  replay: boolean;
}

/**
 * The records of a recipient source in batches of `size`, each record checked and normalised as it is read,
 * so a batch holds small normalised recipients and never the caller's records (a hostile record is refused
 * before the next one is read, however large it is). The first `replay` records, which a resumed campaign
 * already queued, come in batches of their own (flagged `replay`) cut at the same boundaries as the first
 * run's. A synchronous source (an array, a generator) is read without an await per record: `for await` over
 * it would add a promise and a microtask per record, a few hundred ms in a 1,000,000-recipient campaign.
 */
export class RecordBatches {
  /** Records read so far. */
  read = 0;
  readonly #source: Iterable<unknown> | AsyncIterable<unknown>;
  readonly #replay: number;
  readonly #size: number;
  readonly #normalize: NormalizeRecord;

  constructor(source: Iterable<unknown> | AsyncIterable<unknown>, options: { replay: number; size: number; normalize: NormalizeRecord }) {
    this.#source = source;
    this.#replay = options.replay;
    this.#size = options.size;
    this.#normalize = options.normalize;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<RecordBatch> {
    let recipients: RecipientEntry[] = [];
    let bare = true;
    let firstIndex = 0;
    const take = (record: unknown): boolean => {
      const r = this.#normalize(record);
      if (typeof r !== 'string') {
        if (r instanceof BrokenRule) throw new RecipientRuleError(this.read, r.rule);
        bare = false;
      }
      recipients.push(r);
      this.read++;
      return recipients.length >= this.#size || this.read === this.#replay;
    };
    const batch = (): RecordBatch => {
      const full = { recipients, bare, firstIndex, replay: firstIndex < this.#replay };
      recipients = [];
      bare = true;
      firstIndex = this.read;
      return full;
    };
    if (Symbol.asyncIterator in this.#source) {
      for await (const record of this.#source) if (take(record)) yield batch();
    } else {
      for (const record of this.#source) {
        if (!take(record)) continue;
        const replayed = firstIndex < this.#replay;
        yield batch();
        // Re-reading a long synchronous prefix does no I/O: let other work in now and then.
        if (replayed) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    if (recipients.length > 0) yield batch();
  }
}
