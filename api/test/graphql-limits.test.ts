import { getIntrospectionQuery, parse, specifiedRules, validate } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import * as kipperClient from '@kipper/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { queryLimitsRule } from '../src/graphql/limits.js';
import { buildKipperSchema } from '../src/graphql/schema.js';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { createProject, deployApp, ok } from './helpers.js';

/** Depth and alias limits of GraphQL operations, on HTTP and WebSocket. */

const REF = '{ namespace: "deep-test", name: "api" }';

/** `app { revisions { nodes { app { revisions { nodes … } } } } }`: 4 + 3 × `levels` fields deep (small pages, to stay within the cost budget). */
function nested(levels: number): string {
  let inner = 'number';
  for (let i = 0; i < levels; i++) inner = `app { revisions(first: 2) { nodes { ${inner} } } }`;
  return `query Deep { app(ref: ${REF}) { revisions(first: 2) { nodes { ${inner} } } } }`;
}

const HISTORY = `query History { app(ref: ${REF}) { name namespace currentRevision { number } revisions(first: 20) { totalCount pageInfo { hasNextPage endCursor } nodes { number image commit trigger triggeredBy status current createdAt finishedAt rollbackTo promotedFrom { namespace environment app revision } build { status } } } } }`;

let k: RunningKipper;
let client: Client;
beforeAll(async () => {
  k = await startKipper();
  client = createClient({ url: k.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${k.adminToken}` }, retryAttempts: 0 });
  await createProject(k, 'deep');
  await deployApp(k, { project: 'deep', environment: 'test', name: 'api', image: 'registry.example.com/api:v1' });
}, 120_000);
afterAll(async () => {
  await client?.dispose();
  await k?.stop();
});

type Result = { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };

function overWebSocket(query: string): Promise<Result> {
  return new Promise((resolve) => {
    let last: Result = {};
    client.subscribe(
      { query },
      {
        next: (value) => {
          last = value as Result;
        },
        error: (error) => resolve({ errors: Array.isArray(error) ? (error as Result['errors']) : [{ message: String(error) }] }),
        complete: () => resolve(last),
      },
    );
  });
}

describe('the validation rule', () => {
  it('counts depth through fragments and inline fragments, and aliases', async () => {
    const schema = await buildKipperSchema();
    const rules = [...specifiedRules, queryLimitsRule({ maxDepth: 4, maxAliases: 2, maxFields: 100 })];
    const errors = (source: string) => validate(schema, parse(source), rules).map((e) => e.message);
    expect(errors(`{ app(ref: ${REF}) { revisions { nodes { number } } } }`)).toEqual([]);
    expect(errors(`{ app(ref: ${REF}) { revisions { nodes { app { name } } } } }`)).toEqual([
      'The operation is nested more than 4 fields deep: query the nested objects separately',
    ]);
    expect(errors(`query Q { app(ref: ${REF}) { ...R } } fragment R on App { revisions { nodes { ... on Revision { app { name } } } } }`)).toEqual([
      'Operation "Q" is nested more than 4 fields deep: query the nested objects separately',
    ]);
    expect(errors(`{ a: app(ref: ${REF}) { name } b: app(ref: ${REF}) { name } }`)).toEqual([]);
    expect(errors(`query Q { ...F } fragment F on Query { a: app(ref: ${REF}) { name } b: app(ref: ${REF}) { name } c: app(ref: ${REF}) { name } }`)).toEqual([
      'Operation "Q" has more than 2 aliased fields: split it into several requests',
    ]);
  });

  it('passes every operation the CLI and the console send', async () => {
    const schema = await buildKipperSchema();
    // Both send the operations of @kipper/client.
    const { operations, problems } = kipperClient.validateOperations(schema, kipperClient, [queryLimitsRule()]);
    expect(operations).toBeGreaterThan(20);
    expect(problems).toEqual([]);
  });

  it('leaves introspection to graphql-js (the standard introspection query passes)', async () => {
    const schema = await buildKipperSchema();
    expect(validate(schema, parse(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true })), [...specifiedRules, queryLimitsRule()])).toEqual([]);
  });
});

describe('over HTTP', () => {
  it('a 22-deep app { revisions { nodes { app { revisions … query is refused with VALIDATION_FAILED', async () => {
    const response = await k.graphql(nested(6));
    expect(response.data).toBeUndefined();
    expect(response.errors).toEqual([
      expect.objectContaining({
        message: 'Operation "Deep" is nested more than 12 fields deep: query the nested objects separately',
        extensions: { code: 'VALIDATION_FAILED' },
      }),
    ]);
  });

  it('more than 50 aliased fields are refused', async () => {
    const fields = Array.from({ length: 51 }, (_, i) => `a${i}: app(ref: ${REF}) { name }`).join(' ');
    const response = await k.graphql(`query Many { ${fields} }`);
    expect(response.errors).toEqual([
      expect.objectContaining({ message: 'Operation "Many" has more than 50 aliased fields: split it into several requests', extensions: { code: 'VALIDATION_FAILED' } }),
    ]);
  });

  it('a normal history query passes, as does a 10-deep one', async () => {
    const history = ok(await k.graphql<{ app: { revisions: { nodes: { number: number }[] } } }>(HISTORY)).app;
    expect(history.revisions.nodes.map((r) => r.number)).toEqual([1]);
    ok(await k.graphql(nested(2))); // 4 + 3 × 2 = 10 fields deep
  });
});

describe('over WebSocket', () => {
  it('the same limits apply', async () => {
    const refused = await overWebSocket(nested(6));
    expect(refused.errors).toEqual([
      expect.objectContaining({ message: 'Operation "Deep" is nested more than 12 fields deep: query the nested objects separately', extensions: { code: 'VALIDATION_FAILED' } }),
    ]);
    const passed = await overWebSocket(HISTORY);
    expect(passed.errors).toBeUndefined();
    expect(passed.data).toMatchObject({ app: { revisions: { nodes: [{ number: 1 }] } } });
  });

  it('a message over 1 MiB closes the connection', async () => {
    const socket = new WebSocket(k.wsUrl, 'graphql-transport-ws');
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${k.adminToken}`, padding: 'x'.repeat(1024 * 1024 + 1) } }));
    expect(await closed).toBe(1009);
  });
});
