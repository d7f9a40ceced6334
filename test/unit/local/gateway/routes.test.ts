import { describe, expect, it } from 'vitest';
import { matchRoute } from '../../../../local/gateway/routes.js';

describe('matchRoute', () => {
  it.each([
    ['GET', '/v1/signals/abc', '/v1/signals/{id}', { id: 'abc' }],
    ['POST', '/v1/signals/abc/withdraw', '/v1/signals/{id}/withdraw', { id: 'abc' }],
    ['POST', '/v1/signals', '/v1/signals', {}],
    ['GET', '/v1/signals/a%20b', '/v1/signals/{id}', { id: 'a b' }],
  ])('matches %s %s to %s', (method, path, template, parameters) => {
    expect(matchRoute(method, path)).toEqual({
      route: expect.objectContaining({ path: template }),
      pathParameters: parameters,
    });
  });

  it.each([
    ['DELETE', '/v1/signals/abc'],
    ['GET', '/v1/signals/abc/'],
    ['GET', '/v2/signals'],
  ])('finds no route for %s %s', (method, path) => {
    expect(matchRoute(method, path)).toBeUndefined();
  });
});
