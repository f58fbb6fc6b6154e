/**
 * The records of a recipient source in arrays of `size`, after skipping the first `skip` (those a resumed
 * campaign already queued). A synchronous source (an array, a generator) is read without an await per
 * record: `for await` over it would add a promise and a microtask per record, a few hundred ms in a
 * 1,000,000-recipient campaign.
 */
export class RecordBatches {
  /** Records read so far, skipped ones included. */
  read = 0;
  readonly #source: Iterable<unknown> | AsyncIterable<unknown>;
  readonly #skip: number;
  readonly #size: number;

  constructor(source: Iterable<unknown> | AsyncIterable<unknown>, skip: number, size: number) {
    this.#source = source;
    this.#skip = skip;
    this.#size = size;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<{ records: unknown[]; firstIndex: number }> {
    let records: unknown[] = [];
    const batch = () => {
      const full = { records, firstIndex: this.read - records.length };
      records = [];
      return full;
    };
    if (Symbol.asyncIterator in this.#source) {
      for await (const record of this.#source) {
        if (this.read++ >= this.#skip) records.push(record);
        if (records.length >= this.#size) yield batch();
      }
    } else {
      for (const record of this.#source) {
        if (this.read++ >= this.#skip) records.push(record);
        if (records.length >= this.#size) yield batch();
        // Skipping a long synchronous prefix: let other work in now and then.
        else if (this.read % this.#size === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    if (records.length > 0) yield batch();
  }
}
