import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { pingRedis, startRedisServer } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

interface ChosenRedis {
  url: string;
  description: string;
  stop?: () => Promise<void>;
}

const DOCKER_DETECT_MS = 3_000;

/**
 * Picks one Redis for the whole run, in this order: REDIS_URL, a testcontainers `redis:7`, a private
 * redis-server. Tests read it with `inject('redisUrl')`; child processes with NEUPUSH_TEST_REDIS_URL.
 * Tests share it, so each uses its own key prefix and nobody flushes it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const chosen = await chooseRedis();
  project.provide('redisUrl', chosen.url);
  process.env.NEUPUSH_TEST_REDIS_URL = chosen.url;
  console.log(`[global-setup] Redis: ${chosen.description} at ${redactPassword(chosen.url)}`);
  return async () => {
    await chosen.stop?.();
  };
}

async function chooseRedis(): Promise<ChosenRedis> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) {
    if (!(await pingRedis(fromEnv, 3_000))) {
      throw new Error(`REDIS_URL=${redactPassword(fromEnv)} does not answer PING; start that Redis or unset REDIS_URL`);
    }
    return { url: fromEnv, description: 'REDIS_URL' };
  }

  if (await dockerAnswers()) {
    const { GenericContainer } = await import('testcontainers');
    const container = await new GenericContainer('redis:7').withExposedPorts(6379).start();
    return {
      url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
      description: 'testcontainers redis:7',
      stop: async () => {
        await container.stop();
      },
    };
  }

  if (onPath('redis-server')) {
    const server = await startRedisServer();
    return { url: server.url, description: `private redis-server (pid ${server.pid})`, stop: () => server.destroy() };
  }

  throw new Error('no Redis: set REDIS_URL, start Docker, or install redis-server');
}

async function dockerAnswers(): Promise<boolean> {
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return false;
  const { getContainerRuntimeClient } = await import('testcontainers');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), DOCKER_DETECT_MS);
  });
  try {
    await Promise.race([getContainerRuntimeClient(), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function onPath(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}
