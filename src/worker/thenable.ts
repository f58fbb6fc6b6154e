/**
 * Whether a step's answer is a promise (or any thenable) to await. The worker's steps that usually answer
 * at once (hooks, the activity gate, the cap) return plain values then, and the callers await only what
 * this says is a promise: an `await` of a plain value still costs a turn of the microtask queue.
 */
export const isThenable = <T>(v: T | PromiseLike<T>): v is PromiseLike<T> => typeof (v as { then?: unknown } | undefined)?.then === 'function';
