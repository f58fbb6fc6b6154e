import { ConfigError } from './errors.js';

/** A token or password shorter than this is refused at startup: it can be guessed over the network. */
export const MIN_SECRET_LENGTH = 16;
/** The one host a weaker secret (or the dashboard without one) may be served on, with `--insecure`. */
export const LOOPBACK_HOST = '127.0.0.1';

/**
 * The host to bind, given the strength of `secret` (named by its `variable`, never shown): a strong one
 * binds `defaultHost` or the caller's choice; a weak one only loopback, and only with `insecure`.
 */
export function hostForSecret(variable: string, secret: string, options: { insecure?: boolean; host?: string }, defaultHost: string): string {
  if (secret.length >= MIN_SECRET_LENGTH) return options.host ?? defaultHost;
  if (!options.insecure) {
    throw new ConfigError(
      `${variable} must be at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -hex 32); ` +
        `or pass --insecure to accept a shorter one on ${LOOPBACK_HOST} only`,
    );
  }
  const host = options.host ?? LOOPBACK_HOST;
  if (host !== LOOPBACK_HOST) {
    throw new ConfigError(`--insecure accepts a ${variable} shorter than ${MIN_SECRET_LENGTH} characters on ${LOOPBACK_HOST} only, not on ${host}`);
  }
  return host;
}
