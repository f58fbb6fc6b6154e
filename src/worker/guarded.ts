import type { Logger } from '../shared/logger.js';

/**
 * An event listener that cannot throw: what it throws is logged with its name. Without this, BullMQ would
 * turn it into a nameless 'error' event, and a plain EventEmitter would throw it at whoever emitted.
 */
export function guarded<A extends unknown[]>(log: Logger, name: string, listener: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      listener(...args);
    } catch (error) {
      log.error({ err: error, listener: name }, 'an event listener threw');
    }
  };
}
