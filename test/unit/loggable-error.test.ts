import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import { loggableError } from '../../src/worker/loggable-error.js';
import { createLogCapture } from '../helpers/log-capture.js';

class ReplyError extends Error {
  command?: { name: string; args: string[] };
}

describe('loggableError', () => {
  it("keeps type, message, stack, code and cause; drops what ioredis attached (a command's arguments: job data)", () => {
    const error = new ReplyError('OOM command not allowed', { cause: new Error('maxmemory reached') });
    error.command = { name: 'evalsha', args: ['sha', '{"notification":{"mobileNumber":"501234567"}}'] };
    Object.assign(error, { code: 'EOOM' });
    const logs = createLogCapture();
    createLogger({ level: 'info', destination: logs }).error({ err: loggableError(error) }, 'could not queue');

    expect(logs.text()).not.toContain('501234567');
    const [line] = logs.lines();
    expect(line?.err).toMatchObject({
      type: 'ReplyError',
      message: expect.stringContaining('OOM command not allowed'),
      stack: expect.stringContaining('loggable-error.test'),
      code: 'EOOM',
    });
    expect(line?.err).not.toHaveProperty('command');
  });

  it('wraps a thrown non-error', () => {
    expect(loggableError('boom')).toMatchObject({ message: 'boom' });
  });
});
