import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, GraphQLEnumType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKipperClient, decodeGraphQLErrors, isApiErrorCode, KipperClientError, VerifyTokenQuery } from '../src/index.js';

describe('decodeGraphQLErrors', () => {
  it('keeps the api code and message of the first error', () => {
    const error = decodeGraphQLErrors([
      { message: 'api has no revision #9.', extensions: { code: 'REVISION_NOT_FOUND' } },
      { message: 'second', extensions: { code: 'INTERNAL' } },
    ]);
    expect(error).toBeInstanceOf(KipperClientError);
    expect([error.code, error.message]).toEqual(['REVISION_NOT_FOUND', 'api has no revision #9.']);
  });

  it("maps GraphQL servers' own codes for rejected requests to VALIDATION_FAILED", () => {
    for (const code of ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']) {
      expect(decodeGraphQLErrors([{ message: 'x', extensions: { code } }]).code).toBe('VALIDATION_FAILED');
    }
  });

  it('a missing or foreign code is INTERNAL, or UNAUTHENTICATED with HTTP 401', () => {
    expect(decodeGraphQLErrors([{ message: 'x' }]).code).toBe('INTERNAL');
    expect(decodeGraphQLErrors([{ message: 'x', extensions: { code: 'SOMETHING_ELSE' } }]).code).toBe('INTERNAL');
    expect(decodeGraphQLErrors([{ message: 'x' }], 401)).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
  });

  it('an error without a message still says something', () => {
    expect(decodeGraphQLErrors([{ extensions: { code: 'CONFLICT' } }]).message).toBe('Kipper answered with an error and no message.');
    expect(decodeGraphQLErrors([]).code).toBe('INTERNAL');
  });

  it('knows exactly the codes of the schema enum ErrorCode', async () => {
    const sdl = await readFile(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
    const errorCode = buildSchema(sdl).getType('ErrorCode');
    expect(errorCode).toBeInstanceOf(GraphQLEnumType);
    for (const value of (errorCode as GraphQLEnumType).getValues()) expect(isApiErrorCode(value.name)).toBe(true);
    expect(isApiErrorCode('GRAPHQL_VALIDATION_FAILED')).toBe(false);
    expect(isApiErrorCode('toString')).toBe(false);
  });
});

describe('request failures', () => {
  let server: Server;
  let base: string;
  let answer: (path: string) => { status: number; body: string };
  beforeAll(async () => {
    server = createServer((req, res) => {
      const { status, body } = answer(req.url ?? '/');
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const failure = async (url: string, timeoutMs?: number): Promise<KipperClientError> => {
    const client = createKipperClient({ url, token: () => 'token', ...(timeoutMs ? { timeoutMs } : {}) });
    const error = await client.request(VerifyTokenQuery, {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KipperClientError);
    return error as KipperClientError;
  };

  it('no server: UNREACHABLE with the reason', async () => {
    const error = await failure('http://127.0.0.1:59998/graphql');
    expect(error.code).toBe('UNREACHABLE');
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('an answer that is not GraphQL: BAD_RESPONSE with the status', async () => {
    answer = () => ({ status: 404, body: '<h1>Not found</h1>' });
    expect(await failure(`${base}/graphql`)).toMatchObject({ code: 'BAD_RESPONSE', status: 404 });
  });

  it('HTTP 401 without GraphQL errors: UNAUTHENTICATED', async () => {
    answer = () => ({ status: 401, body: '' });
    expect(await failure(`${base}/graphql`)).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
  });

  it('GraphQL errors: decoded', async () => {
    answer = () => ({ status: 200, body: JSON.stringify({ errors: [{ message: 'busy', extensions: { code: 'RATE_LIMITED' } }] }) });
    expect(await failure(`${base}/graphql`)).toMatchObject({ code: 'RATE_LIMITED', message: 'busy' });
  });

  it('no answer in time: UNREACHABLE, saying how long it waited', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const error = await failure(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/graphql`, 200);
      expect([error.code, error.message]).toEqual(['UNREACHABLE', 'no answer within 0.2s']);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
