import { describe, expect, it } from 'vitest';
import { crossSiteRefusal, type RequestFacts } from '../../src/dashboard/cross-site.js';

const base: RequestFacts = { method: 'POST', path: '/api/queues/deliveries/add', host: '127.0.0.1:3000', contentType: 'application/json', hasBody: true };

describe('crossSiteRefusal', () => {
  const cases: [string, Partial<RequestFacts>, number | undefined][] = [
    ['GET from anywhere', { method: 'GET', origin: 'https://evil.example', secFetchSite: 'cross-site' }, undefined],
    ['same origin, JSON', { origin: 'http://127.0.0.1:3000', secFetchSite: 'same-origin' }, undefined],
    ['https origin through a TLS proxy keeping Host', { origin: 'https://127.0.0.1:3000' }, undefined],
    ['curl: no Origin, no Sec-Fetch-Site', {}, undefined],
    ['Host in other case', { origin: 'http://dash.example.com', host: 'DASH.example.com' }, undefined],
    ['cross-site', { origin: 'https://evil.example', secFetchSite: 'cross-site' }, 403],
    ['cross-site without Origin', { secFetchSite: 'cross-site' }, 403],
    ['same-site, another origin', { origin: 'http://a.127.0.0.1:3000', secFetchSite: 'same-site' }, 403],
    ['same-site without Origin', { secFetchSite: 'same-site' }, 403],
    ['another port', { origin: 'http://127.0.0.1:3001' }, 403],
    ['Origin: null', { origin: 'null' }, 403],
    ['no Host header', { origin: 'http://127.0.0.1:3000', host: undefined }, 403],
    ['PUT from another origin', { method: 'PUT', origin: 'https://evil.example', hasBody: false, contentType: undefined }, 403],
    ['DELETE from another origin', { method: 'DELETE', origin: 'https://evil.example' }, 403],
    ['POST without Content-Type', { contentType: undefined, hasBody: false }, 415],
    ['POST as text/plain', { contentType: 'text/plain' }, 415],
    ['POST as a form', { contentType: 'application/x-www-form-urlencoded' }, 415],
    ['PATCH without Content-Type', { method: 'PATCH', contentType: undefined }, 415],
    ['PUT with a body that is not JSON', { method: 'PUT', contentType: 'text/plain' }, 415],
    ['bodiless PUT (axios)', { method: 'PUT', contentType: undefined, hasBody: false }, undefined],
    ['JSON with a charset', { contentType: 'Application/JSON; charset=utf-8' }, undefined],
    ['a form post outside the board API (the console, CSRF token)', { path: '/console/cancel', contentType: 'application/x-www-form-urlencoded' }, undefined],
  ];
  it.each(cases)('%s', (_name, facts, status) => {
    expect(crossSiteRefusal({ ...base, ...facts })?.status).toBe(status);
  });

  it('accepts an origin it was told about, exactly', () => {
    const behindProxy = { ...base, host: '10.0.0.5:3000' };
    expect(crossSiteRefusal({ ...behindProxy, origin: 'https://dash.example.com' }, ['https://dash.example.com'])).toBeUndefined();
    expect(crossSiteRefusal({ ...behindProxy, origin: 'http://dash.example.com' }, ['https://dash.example.com'])?.status).toBe(403);
  });

  it('names the rule it applied', () => {
    expect(crossSiteRefusal({ ...base, secFetchSite: 'cross-site' })?.error).toBe('cross-site request refused (Sec-Fetch-Site: cross-site)');
    expect(crossSiteRefusal({ ...base, origin: 'https://evil.example' })?.error).toBe('request from another origin refused (Origin: https://evil.example)');
    expect(crossSiteRefusal({ ...base, contentType: undefined })?.error).toBe('Content-Type must be application/json, got none');
  });
});
