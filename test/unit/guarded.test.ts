import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import { guarded } from '../../src/worker/guarded.js';
import { createLogCapture } from '../helpers/log-capture.js';

describe('guarded', () => {
  it('a listener that throws is logged with its name and stack; the emitter and later listeners go on', () => {
    const logs = createLogCapture();
    const log = createLogger({ level: 'info', destination: logs });
    const emitter = new EventEmitter();
    const seen: number[] = [];
    emitter.on(
      'completed',
      guarded(log, 'completed: metrics', (n: number) => {
        if (n === 1) throw new Error('label missing');
        seen.push(n);
      }),
    );
    emitter.on('completed', (n: number) => void seen.push(n * 10));

    expect(() => emitter.emit('completed', 1)).not.toThrow();
    emitter.emit('completed', 2);
    expect(seen).toEqual([10, 2, 20]);
    const [line] = logs.lines();
    expect(line).toMatchObject({ msg: 'an event listener threw', listener: 'completed: metrics', err: { message: 'label missing' } });
    expect(String((line?.err as { stack?: string }).stack)).toContain('guarded.test');
  });
});
