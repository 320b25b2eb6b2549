import * as kipperClient from '@kipper/client';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  parse,
  print,
  typeFromAST,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { operationCost } from '../src/graphql/cost.js';
import { buildKipperSchema } from '../src/graphql/schema.js';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { count, createProject, deployApp, ok, updateImage } from './helpers.js';

/** The cost budget: nested lists multiply, so operations are weighed by their page sizes before they run. */

const APP = { namespace: 'cost-test', name: 'web' };
const REF = '{ namespace: "cost-test", name: "web" }';
/** The review's query: three nested pages of 100 revisions (a million rows were it allowed). */
const NESTED = `{ app(ref: ${REF}) { revisions(first: 100) { nodes { app { revisions(first: 100) { nodes { app { revisions(first: 100) { nodes { number } } } } } } } } } }`;
const BY_VARIABLE = `query Nested($n: Int!) { app(ref: ${REF}) { revisions(first: $n) { nodes { app { revisions(first: $n) { nodes { number } } } } } } }`;

let k: RunningKipper;
let client: Client;
beforeAll(async () => {
  k = await startKipper();
  client = createClient({ url: k.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${k.adminToken}` }, retryAttempts: 0 });
  await createProject(k, 'cost');
  await deployApp(k, { project: 'cost', environment: 'test', name: 'web', image: 'registry.example.com/web:v1' });
  for (let i = 2; i <= 5; i++) await updateImage(k, APP, `registry.example.com/web:v${i}`);
}, 120_000);
afterAll(async () => {
  await client?.dispose();
  await k?.stop();
});

type Result = { data?: unknown; errors?: { message: string; extensions?: { code?: string; details?: { cost: number; maxCost: number } } }[] };

async function postGraphql(body: unknown): Promise<{ status: number; body: Result }> {
  const res = await fetch(`${k.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${k.adminToken}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Result };
}

function overWebSocket(query: string, variables?: Record<string, unknown>): Promise<Result> {
  return new Promise((resolve) => {
    let last: Result = {};
    client.subscribe(
      { query, ...(variables ? { variables } : {}) },
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

describe('the GraphQL cost budget', () => {
  it('refuses nested pages of revisions over HTTP with QUERY_TOO_COMPLEX and the computed cost, before anything runs', async () => {
    const audit = await count(k, 'audit_entry');
    const { status, body } = await postGraphql({ query: NESTED });
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    const [error] = body.errors!;
    expect(error!.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(error!.extensions?.details?.maxCost).toBe(5000);
    expect(error!.extensions?.details?.cost).toBeGreaterThan(1_000_000);
    expect(error!.message).toMatch(/^This operation would cost \d+, more than the limit of 5000/);
    expect(await count(k, 'audit_entry')).toBe(audit);
  });

  it('weighs page sizes given as variables', async () => {
    const refused = await postGraphql({ query: BY_VARIABLE, variables: { n: 100 } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const allowed = await postGraphql({ query: BY_VARIABLE, variables: { n: 3 } });
    expect(allowed.status).toBe(200);
    const data = ok(allowed.body as { data: { app: { revisions: { nodes: { app: { revisions: { nodes: { number: number }[] } } }[] } } } });
    expect(data.app.revisions.nodes.map((node) => node.app.revisions.nodes.map((r) => r.number))).toEqual([
      [5, 4, 3],
      [5, 4, 3],
      [5, 4, 3],
    ]);
  });

  it('allows a full page of history', async () => {
    const { status, body } = await postGraphql({
      query: `{ app(ref: ${REF}) { revisions(first: 100) { totalCount nodes { number image commit status current trigger promotedFrom { namespace } build { status } } } } }`,
    });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect((body.data as { app: { revisions: { totalCount: number } } }).app.revisions.totalCount).toBe(5);
  });

  it('applies over WebSocket too', async () => {
    const refused = await overWebSocket(NESTED);
    expect(refused.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const byVariable = await overWebSocket(BY_VARIABLE, { n: 100 });
    expect(byVariable.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const allowed = await overWebSocket(BY_VARIABLE, { n: 2 });
    expect(allowed.errors).toBeUndefined();
  });
});

/** A value for a variable of `type`, page sizes at their largest: the costliest way a client can send the operation. */
function worstCaseValue(type: GraphQLInputType): unknown {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return [worstCaseValue(nullable.ofType as GraphQLInputType)];
  if (isEnumType(nullable)) return nullable.getValues()[0]!.name;
  if (isInputObjectType(nullable)) {
    return Object.fromEntries(
      Object.values(nullable.getFields())
        .filter((field) => isNonNullType(field.type))
        .map((field) => [field.name, worstCaseValue(field.type)]),
    );
  }
  const scalar = getNamedType(nullable).name;
  if (scalar === 'DateTimeISO') return '2026-12-01T00:00:00.000Z';
  return scalar === 'Int' ? 100 : scalar === 'Boolean' ? true : scalar === 'ID' ? '00000000-0000-0000-0000-000000000000' : 'a';
}

function worstCaseVariables(schema: GraphQLSchema, document: DocumentNode): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const definition of document.definitions) {
    if (definition.kind !== 'OperationDefinition') continue;
    for (const variable of definition.variableDefinitions ?? []) {
      variables[variable.variable.name.value] = worstCaseValue(typeFromAST(schema, variable.type as never) as GraphQLInputType);
    }
  }
  return variables;
}

describe('what the CLI and the console send', () => {
  it('stays within the budget, with every page at its largest', async () => {
    const schema = await buildKipperSchema();
    const costs: Record<string, number> = {};
    for (const [name, value] of Object.entries(kipperClient)) {
      if (typeof value !== 'object' || value === null || (value as { kind?: unknown }).kind !== 'Document') continue;
      const document = parse(print(value as DocumentNode));
      if (document.definitions.every((d) => d.kind === 'FragmentDefinition')) continue;
      costs[name] = operationCost({ schema, document, variables: worstCaseVariables(schema, document) });
    }
    expect(Object.keys(costs).length).toBeGreaterThan(20);
    expect(Object.entries(costs).filter(([, cost]) => cost > 5000)).toEqual([]);
  });
});

describe('a subscription sent over HTTP POST', () => {
  it('is a clear validation error, not an internal one', async () => {
    const { status, body } = await postGraphql({ query: `subscription { appEvents(app: ${REF}) { type } }` });
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: 'Subscriptions are served over WebSocket (the graphql-ws protocol) at /graphql, not over HTTP POST',
        extensions: { code: 'VALIDATION_FAILED' },
      }),
    ]);
  });
});
