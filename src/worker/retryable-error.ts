import { NeupushError, type NeupushErrorOptions } from '../shared/errors.js';
import type { CallResult } from '../neuxnet/classify.js';

/**
 * Thrown by the processor to have BullMQ retry the job after `delayMs`. The delay is decided in the
 * processor (it needs the deadline and Retry-After) and handed to BullMQ through the backoff strategy.
 */
export class RetryableDeliveryError extends NeupushError {
  readonly delayMs: number;
  readonly result: CallResult;
  constructor(message: string, delayMs: number, result: CallResult, options?: NeupushErrorOptions) {
    super(message, 'ERR_RETRYABLE', options);
    this.delayMs = delayMs;
    this.result = result;
  }
}
