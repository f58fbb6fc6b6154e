/** What a browser says about where a request comes from, and what it carries. */
export interface RequestFacts {
  method: string;
  /** The path, e.g. /api/queues/deliveries/add. */
  path: string;
  host?: string | undefined;
  origin?: string | undefined;
  secFetchSite?: string | undefined;
  contentType?: string | undefined;
  /** Whether the request carries a body (Content-Length above 0, or chunked). */
  hasBody: boolean;
}

export interface Refusal {
  status: 403 | 415;
  error: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function sameOrigin(origin: string, host: string | undefined, allowedOrigins: readonly string[]): boolean {
  if (allowedOrigins.includes(origin)) return true;
  try {
    // The scheme is not compared: behind a TLS-terminating proxy the browser's origin is https and we see http.
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * Whether a state-changing request may have been forged by another site (CSRF through the browser's cached
 * basic-auth credentials). A browser names the origin of every POST/PUT/PATCH/DELETE in `Origin` and, in
 * current browsers, in `Sec-Fetch-Site`; a request with neither comes from curl or a script, which has to
 * hold the credentials itself. Bull Board's own API takes JSON only, and a cross-site form cannot send JSON
 * without a CORS preflight, which this server never grants.
 */
export function crossSiteRefusal(request: RequestFacts, allowedOrigins: readonly string[] = []): Refusal | undefined {
  if (SAFE_METHODS.has(request.method)) return undefined;
  const { origin, secFetchSite } = request;
  if (secFetchSite === 'cross-site') return { status: 403, error: 'cross-site request refused (Sec-Fetch-Site: cross-site)' };
  if (origin !== undefined && !sameOrigin(origin, request.host, allowedOrigins)) {
    return { status: 403, error: `request from another origin refused (Origin: ${origin})` };
  }
  if (secFetchSite === 'same-site' && origin === undefined) {
    return { status: 403, error: 'request from another site refused (Sec-Fetch-Site: same-site without Origin)' };
  }
  const needsJson = request.path.startsWith('/api/') && (request.method === 'POST' || request.method === 'PATCH' || request.hasBody);
  if (needsJson && mediaType(request.contentType) !== 'application/json') {
    return { status: 415, error: `Content-Type must be application/json, got ${request.contentType ?? 'none'}` };
  }
  return undefined;
}
