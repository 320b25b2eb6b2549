import { createHmac } from 'node:crypto';
import WebSocket from 'ws';

/**
 * Malformed, forged and oversized requests, over the REST webhook shim, GraphQL over HTTP and
 * graphql-ws. Each names the answer a user must get: a status, one of the stable error codes,
 * and (checked by the suite) nothing changed anywhere.
 */

export interface Target {
  url: string;
  wsUrl: string;
  adminToken: string;
  /** The webhook token of p-test/web (an image app). */
  webhookToken: string;
  /** The webhook token of p-test/other, which must never deploy web. */
  otherToken: string;
}

export interface Answer {
  status: number;
  contentType: string;
  text: string;
}

export interface HostileCase {
  name: string;
  /** rest: { error: { code, message } }; graphql: { errors: [{ message, extensions: { code } }] }; ws: a close code or a GraphQL error. */
  shape: 'rest' | 'graphql' | 'ws';
  send(target: Target): Promise<Answer>;
  status: number[];
  codes: string[];
}

const WEBHOOK = '/api/v1/webhook/p-test/web';
const GOOD_IMAGE = 'registry.example.com/web:v9';
/** Refused before authentication succeeds: 401, or 429 once this address has failed too often. */
const UNAUTHENTICATED = { status: [401, 429], codes: ['UNAUTHENTICATED', 'RATE_LIMITED'] };

async function http(target: Target, path: string, init: RequestInit): Promise<Answer> {
  const res = await fetch(`${target.url}${path}`, init);
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

function webhook(name: string, headers: (t: Target) => Record<string, string>, body: string | ((t: Target) => string), expected: Pick<HostileCase, 'status' | 'codes'>, path = WEBHOOK, method = 'POST'): HostileCase {
  return {
    name: `REST ${method} ${path}: ${name}`,
    shape: 'rest',
    send: (t) => http(t, path, { method, headers: headers(t), ...(method === 'GET' || method === 'HEAD' ? {} : { body: typeof body === 'function' ? body(t) : body }) }),
    ...expected,
  };
}

const json = (token: string, extra: Record<string, string> = {}) => ({ 'content-type': 'application/json', 'x-kipper-token': token, ...extra });
const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const GOOD_BODY = JSON.stringify({ image: GOOD_IMAGE, commit: 'abc123f' });
/** A JWT shaped like a GitHub Actions token, unsigned (empty `secret`) or HS256 with `secret`. */
function jwt(header: { alg: string }, secret: string): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = { iss: 'https://token.actions.githubusercontent.com', aud: 'kipper', sub: 'repo:p/web:ref:refs/heads/main', jti: `j${now}`, iat: now, nbf: now, exp: now + 300 };
  const signed = `${part({ ...header, typ: 'JWT' })}.${part(claims)}`;
  return `${signed}.${secret ? createHmac('sha256', secret).update(signed).digest('base64url') : ''}`;
}

function restCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  // Credentials that are not this app's.
  const forged: [string, (t: Target) => Record<string, string>][] = [
    ['no credentials', () => ({ 'content-type': 'application/json' })],
    ['an empty token', () => json('')],
    ['a made-up token', () => json('0'.repeat(64))],
    ['another app’s token', (t) => json(t.otherToken)],
    ['the token upper-cased', (t) => json(t.webhookToken.toUpperCase())],
    ['the token less its last character', (t) => json(t.webhookToken.slice(0, -1))],
    ['the token with a character more', (t) => json(`${t.webhookToken}0`)],
    ['the token twice', (t) => json(`${t.webhookToken}${t.webhookToken}`)],
    ['the admin API token', (t) => json(t.adminToken)],
    ['the token as a bearer token', (t) => ({ 'content-type': 'application/json', authorization: `Bearer ${t.webhookToken}` })],
    ['the token in a query-string-like header', (t) => ({ 'content-type': 'application/json', 'x-kipper-token-': t.webhookToken })],
    ['a wrong GitLab token', () => ({ 'content-type': 'application/json', 'x-gitlab-token': 'f'.repeat(64), 'x-gitlab-event': 'Push Hook' })],
    ['another app’s token as GitLab token', (t) => ({ 'content-type': 'application/json', 'x-gitlab-token': t.otherToken, 'x-gitlab-event': 'Push Hook' })],
    ['a GitHub signature made with another secret', () => ({ 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': sign('not-the-secret', GOOD_BODY) })],
    ['a GitHub signature made with another app’s token', (t) => ({ 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': sign(t.otherToken, GOOD_BODY) })],
    ['a GitHub signature over other bytes', (t) => ({ 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': sign(t.webhookToken, `${GOOD_BODY} `) })],
    ['a GitHub signature in sha1 form', (t) => ({ 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': sign(t.webhookToken, GOOD_BODY).replace('sha256=', 'sha1=') })],
    ['a truncated GitHub signature', (t) => ({ 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': sign(t.webhookToken, GOOD_BODY).slice(0, 40) })],
    ['a GitHub signature of non-hex characters', () => ({ 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${'z'.repeat(64)}` })],
    ['an empty GitHub signature', () => ({ 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': '' })],
    ['a GitHub signature without the event header', (t) => ({ 'content-type': 'application/json', 'x-hub-signature-256': sign(`${t.webhookToken}x`, GOOD_BODY) })],
    // Keyless CI: bearer JWTs of no trusted identity.
    ['an unsigned JWT (alg none) as bearer', () => ({ 'content-type': 'application/json', authorization: `Bearer ${jwt({ alg: 'none' }, '')}` })],
    ['an HS256 JWT signed with the webhook token', (t) => ({ 'content-type': 'application/json', authorization: `Bearer ${jwt({ alg: 'HS256' }, t.webhookToken)}` })],
    ['a 12 KB bearer token', () => ({ 'content-type': 'application/json', authorization: `Bearer ${'a'.repeat(12 * 1024)}` })],
  ];
  for (const [name, headers] of forged) cases.push(webhook(name, headers, GOOD_BODY, UNAUTHENTICATED));

  // URLs that name no app this token deploys.
  const paths = [
    '/api/v1/webhook/p-test/other',
    '/api/v1/webhook/p-test/nothere',
    '/api/v1/webhook/q-test/web',
    '/api/v1/webhook/p-prod/web',
    '/api/v1/webhook/P-TEST/web',
    '/api/v1/webhook/p-test/WEB',
    '/api/v1/webhook/p-test/-web',
    '/api/v1/webhook/p-test/web_',
    `/api/v1/webhook/p-test/${'w'.repeat(300)}`,
    `/api/v1/webhook/${'n'.repeat(300)}/web`,
    '/api/v1/webhook/p-test/w%C3%A9b',
    '/api/v1/webhook/p-test/web%00',
    '/api/v1/webhook/p-test/web%20',
    '/api/v1/webhook/kube-system/web',
  ];
  for (const path of paths) cases.push(webhook('the right token for another URL', (t) => json(t.webhookToken), GOOD_BODY, UNAUTHENTICATED, path));

  // URLs that do not decode or do not exist.
  const malformed: [string, string][] = [
    ['/api/v1/webhook/p-test/%zz', 'POST'],
    ['/api/v1/webhook/%zz/web', 'POST'],
    ['/api/v1/webhook/p-test/%', 'POST'],
    ['/api/v1/webhook/p-test/%E0%A4%A', 'POST'],
    ['/api/v1/webhook/p-test/%2e%2e', 'POST'],
    ['/api/v1/webhook/p-test/..%2f..%2fgraphql', 'POST'],
    ['/api/v1/webhook/p-test', 'POST'],
    ['/api/v1/webhook', 'POST'],
    ['/api/v1/webhook/p-test/web/extra/segments', 'POST'],
    ['/api/v2/webhook/p-test/web', 'POST'],
    ['/%zz', 'GET'],
    ['/%', 'GET'],
    ['/api/%zz', 'GET'],
    ['/healthz/%zz', 'GET'],
  ];
  for (const [path, method] of malformed) {
    cases.push(webhook('a URL that names no route', (t) => json(t.webhookToken), GOOD_BODY, { status: [400, 401, 404, 429], codes: ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'ROUTE_NOT_FOUND', 'RATE_LIMITED'] }, path, method));
  }
  for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
    cases.push(webhook(`${method} instead of POST`, (t) => json(t.webhookToken), GOOD_BODY, { status: [401, 404, 405, 429], codes: ['UNAUTHENTICATED', 'ROUTE_NOT_FOUND', 'RATE_LIMITED'] }, WEBHOOK, method));
  }

  // The right token with a body Kipper cannot take.
  const contentTypes = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonp', 'image/png'];
  for (const type of contentTypes) {
    cases.push(webhook(`Content-Type ${type}`, (t) => ({ 'content-type': type, 'x-kipper-token': t.webhookToken }), GOOD_BODY, { status: [415], codes: ['UNSUPPORTED_MEDIA_TYPE'] }));
  }
  const malformedJson = ['', '{', '}', '{"image":}', '{"image": "x",}', "{'image': 'x'}", '{"image": "x"} trailing', 'NaN', '{"image": undefined}', '\u0000', '[[[[[[[[[[[[[[[[[[[[', '{"image": "unterminated}', '{"a":1 "b":2}', 'nul', 'tru', '0x10', '{"image": 01}'];
  for (const body of malformedJson) {
    cases.push(webhook(`malformed JSON ${JSON.stringify(body.slice(0, 20))}`, (t) => json(t.webhookToken), body, { status: [400], codes: ['MALFORMED_JSON'] }));
  }
  const notAnObject = ['null', '[]', '"registry.example.com/web:v9"', '123', 'true', `[${GOOD_BODY}]`];
  for (const body of notAnObject) {
    cases.push(webhook(`a JSON body that is not an object: ${body.slice(0, 24)}`, (t) => json(t.webhookToken), body, { status: [400, 422], codes: ['MALFORMED_JSON', 'VALIDATION_FAILED', 'INVALID_IMAGE'] }));
  }
  const wrongImages: unknown[] = [
    { toString: 'x' },
    { toString: GOOD_IMAGE },
    [GOOD_IMAGE],
    42,
    true,
    null,
    {},
    { valueOf: 1 },
    '',
    ' ',
    'registry.example.com/web',
    'Registry.Example.com/Web:v1',
    'registry.example.com/web:v1 ',
    'registry.example.com/web:v1\nX-Forged: 1',
    'registry.example.com/web:\u001b[31mred',
    'registry.example.com/web:v1\u0000',
    'registry.example.com/web:v1\t',
    `registry.example.com/${'a'.repeat(5000)}:v1`,
    'https://registry.example.com/web:v1',
    'registry.example.com/web:v1:v2',
    'registry.example.com/web@sha256:abc',
    'registry.example.com/../web:v1',
    '-registry.example.com/web:v1',
    'registry.example.com/web:-v1',
    'registry.example.com/web:v1;rm -rf /',
    '$(touch /tmp/x):v1',
  ];
  for (const image of wrongImages) {
    cases.push(webhook(`image ${JSON.stringify(image)?.slice(0, 40)}`, (t) => json(t.webhookToken), JSON.stringify({ image, commit: 'abc123f' }), { status: [422], codes: ['INVALID_IMAGE', 'VALIDATION_FAILED'] }));
  }
  const wrongCommits: unknown[] = [123, { sha: 'abc' }, ['abc123f'], true, 'not hex!', 'abc123f\nforged', `${'a'.repeat(100)}`, '\u001b[2J'];
  for (const commit of wrongCommits) {
    cases.push(webhook(`commit ${JSON.stringify(commit).slice(0, 30)}`, (t) => json(t.webhookToken), JSON.stringify({ image: GOOD_IMAGE, commit }), { status: [422], codes: ['VALIDATION_FAILED'] }));
  }
  const polluting = ['{"__proto__": {"image": "registry.example.com/web:v9"}}', '{"constructor": {"prototype": {"image": "registry.example.com/web:v9"}}}', '{"image": {"__proto__": {"toString": "x"}}}'];
  for (const body of polluting) {
    cases.push(webhook(`prototype pollution ${body.slice(0, 30)}`, (t) => json(t.webhookToken), body, { status: [422], codes: ['INVALID_IMAGE', 'VALIDATION_FAILED'] }));
  }
  cases.push(webhook('a 2 MiB body', (t) => json(t.webhookToken), JSON.stringify({ image: GOOD_IMAGE, padding: 'x'.repeat(2 * 1024 * 1024) }), { status: [413], codes: ['PAYLOAD_TOO_LARGE'] }));
  cases.push(webhook('a 2 MiB body with a wrong token', () => json('0'.repeat(64)), JSON.stringify({ image: GOOD_IMAGE, padding: 'x'.repeat(2 * 1024 * 1024) }), { status: [401, 413, 429], codes: ['UNAUTHENTICATED', 'PAYLOAD_TOO_LARGE', 'RATE_LIMITED'] }));
  cases.push(webhook('a gzip body that is not gzip', (t) => json(t.webhookToken, { 'content-encoding': 'gzip' }), GOOD_BODY, { status: [400, 415], codes: ['MALFORMED_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'VALIDATION_FAILED'] }));
  return cases;
}

function graphql(name: string, init: (t: Target) => RequestInit, expected: Pick<HostileCase, 'status' | 'codes'>, path = '/graphql'): HostileCase {
  return { name: `GraphQL ${name}`, shape: 'graphql', send: (t) => http(t, path, init(t)), ...expected };
}

const post = (token: string | null, body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

function graphqlCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const query = '{ projects { name } }';
  const refusedAuth = { status: [401], codes: ['UNAUTHENTICATED'] };
  cases.push(graphql('without a token', () => post(null, { query }), refusedAuth));
  cases.push(graphql('with a wrong token', () => post('0'.repeat(64), { query }), refusedAuth));
  cases.push(graphql('with a webhook token', (t) => post(t.webhookToken, { query }), refusedAuth));
  cases.push(graphql('with Basic auth', (t) => ({ ...post(null, { query }), headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`admin:${t.adminToken}`).toString('base64')}` } }), refusedAuth));
  cases.push(graphql('with the token in a cookie', (t) => ({ ...post(null, { query }), headers: { 'content-type': 'application/json', cookie: `token=${t.adminToken}` } }), refusedAuth));
  cases.push(graphql('a mutation without a token', () => post(null, { query: 'mutation { createProject(input: { name: "evil" }) { id } }' }), refusedAuth));

  const invalid = { status: [400], codes: ['VALIDATION_FAILED'] };
  const bodies: [string, unknown][] = [
    ['a body that is not JSON', '{"query": '],
    ['an empty body', ''],
    ['a batch of operations', [{ query }, { query }]],
    ['no query', { variables: {} }],
    ['a query that is a number', { query: 42 }],
    ['a query that is an object', { query: { projects: true } }],
    ['variables that are a string', { query, variables: 'x' }],
    ['an operationName that names nothing', { query: 'query A { projects { name } }', operationName: 'B' }],
    ['two operations and no operationName', { query: 'query A { projects { name } } query B { projects { name } }' }],
  ];
  for (const [name, body] of bodies) cases.push(graphql(name, (t) => post(t.adminToken, body), invalid));

  const syntax = ['{', '{ projects { name }', 'query { projects { name } } }', 'mutation', '{ projects(name: ) { name } }', '{ "projects" }', 'subscription', '{ projects { name } } fragment', '{ ...F }', '{ projects { ...F } } fragment F on Project { ...F }'];
  for (const source of syntax) cases.push(graphql(`syntax ${JSON.stringify(source)}`, (t) => post(t.adminToken, { query: source }), invalid));

  const wrongFields = [
    '{ nothing }',
    '{ projects { password } }',
    '{ app(ref: { namespace: 1, name: "web" }) { name } }',
    '{ app { name } }',
    '{ app(ref: { namespace: "p-test", name: "web" }) { revisions(first: "ten") { totalCount } } }',
    '{ project(name: null) { name } }',
    'mutation { createProject(input: { name: "x", bogus: true }) { id } }',
    'mutation { deployApp(input: { name: "x" }) { id } }',
    '{ __type(name: "Query") { fields { name type { fields { name type { fields { name type { fields { name } } } } } } } } }',
  ];
  for (const source of wrongFields) cases.push(graphql(`invalid ${source.slice(0, 50)}`, (t) => post(t.adminToken, { query: source }), invalid));

  cases.push(graphql('variables of the wrong type', (t) => post(t.adminToken, { query: 'query($n: String!) { project(name: $n) { name } }', variables: { n: { $gt: '' } } }), invalid));
  cases.push(graphql('a missing required variable', (t) => post(t.adminToken, { query: 'query($n: String!) { project(name: $n) { name } }' }), invalid));
  cases.push(graphql('a subscription over POST', (t) => post(t.adminToken, { query: 'subscription { appEvents(app: { namespace: "p-test", name: "web" }) { type } }' }), invalid));
  cases.push(graphql('51 aliases', (t) => post(t.adminToken, { query: `{ ${Array.from({ length: 51 }, (_, i) => `a${i}: projects { name }`).join(' ')} }` }), invalid));
  let deep = 'number';
  for (let i = 0; i < 6; i++) deep = `app { revisions(first: 1) { nodes { ${deep} } } }`;
  cases.push(graphql('a query nested 22 deep', (t) => post(t.adminToken, { query: `{ app(ref: { namespace: "p-test", name: "web" }) { revisions(first: 1) { nodes { ${deep} } } } }` }), invalid));
  const costly = { status: [400], codes: ['QUERY_TOO_COMPLEX'] };
  cases.push(graphql('nested pages of 100 revisions', (t) => post(t.adminToken, { query: '{ app(ref: { namespace: "p-test", name: "web" }) { revisions(first: 100) { nodes { app { revisions(first: 100) { nodes { app { revisions(first: 100) { nodes { number } } } } } } } } } }' }), costly));
  cases.push(graphql('nested pages by variable', (t) => post(t.adminToken, { query: 'query($n: Int!) { app(ref: { namespace: "p-test", name: "web" }) { revisions(first: $n) { nodes { app { revisions(first: $n) { nodes { number } } } } } } }', variables: { n: 100 } }), costly));
  cases.push(graphql('every project’s every app’s builds and deliveries', (t) => post(t.adminToken, { query: '{ projects { environments { apps { builds(first: 100) { log } deliveries(first: 100) { revision { app { builds(first: 100) { log } } } } } } } }' }), costly));
  cases.push(graphql('a 2 MiB request', (t) => post(t.adminToken, { query, padding: 'x'.repeat(2 * 1024 * 1024) }), { status: [400, 413], codes: ['VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE'] }));

  // Cross-site requests: Apollo's CSRF prevention and GET-cannot-mutate.
  cases.push(graphql('a mutation over GET', (t) => ({ method: 'GET', headers: { authorization: `Bearer ${t.adminToken}`, 'apollo-require-preflight': '1' } }), { status: [400, 405], codes: ['VALIDATION_FAILED'] }, `/graphql?query=${encodeURIComponent('mutation { createProject(input: { name: "viaget" }) { id } }')}`));
  cases.push(graphql('a simple cross-site GET', (t) => ({ method: 'GET', headers: { authorization: `Bearer ${t.adminToken}` } }), invalid, `/graphql?query=${encodeURIComponent(query)}`));
  cases.push(graphql('a text/plain POST (a form-like cross-site request)', (t) => ({ method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${t.adminToken}` }, body: JSON.stringify({ query: 'mutation { createProject(input: { name: "csrf" }) { id } }' }) }), invalid));

  // Mutations with inputs the domain refuses.
  const mutation = (name: string, source: string, codes: string[]) =>
    cases.push(graphql(`mutation: ${name}`, (t) => post(t.adminToken, { query: source }), { status: [200], codes }));
  const projectNames = ['', 'UPPER', 'a'.repeat(64), '-lead', 'trail-', 'with space', 'under_score', 'ünïcode', 'p', 'kube', 'dot.ted', '../etc'];
  for (const name of projectNames) mutation(`createProject ${JSON.stringify(name)}`, `mutation { createProject(input: { name: ${JSON.stringify(name)} }) { id } }`, ['VALIDATION_FAILED', 'PROJECT_EXISTS']);
  const environmentLists = ['[]', '["test", "test"]', '["BAD"]', '["a b"]', `[${Array.from({ length: 30 }, (_, i) => `"e${i}"`).join(',')}]`];
  environmentLists.forEach((list, i) => mutation(`createProject environments ${list.slice(0, 30)}`, `mutation { createProject(input: { name: "envs${i}", environments: ${list} }) { id } }`, ['VALIDATION_FAILED']));
  mutation('createProject whose namespace Kubernetes reserves', 'mutation { createProject(input: { name: "kube", environments: ["system"] }) { id } }', ['VALIDATION_FAILED']);
  const deploy = (fields: string) => `mutation { deployApp(input: { project: "p", environment: "test", ${fields} }) { id } }`;
  const badDeploys: [string, string, string[]][] = [
    ['port -1', 'name: "a1", image: "registry.example.com/a:1", port: -1', ['VALIDATION_FAILED']],
    ['port 0', 'name: "a2", image: "registry.example.com/a:1", port: 0', ['VALIDATION_FAILED']],
    ['port 70000', 'name: "a3", image: "registry.example.com/a:1", port: 70000', ['VALIDATION_FAILED']],
    ['no image and no git URL', 'name: "a4", port: 80', ['VALIDATION_FAILED']],
    ['both image and git URL', 'name: "a5", port: 80, image: "registry.example.com/a:1", gitUrl: "https://example.com/a.git"', ['VALIDATION_FAILED']],
    ['an image without a tag', 'name: "a6", port: 80, image: "registry.example.com/a"', ['INVALID_IMAGE']],
    ['an image with a newline', 'name: "a7", port: 80, image: "registry.example.com/a:1\\nX"', ['INVALID_IMAGE']],
    ['a name with capitals', 'name: "Web", port: 80, image: "registry.example.com/a:1"', ['VALIDATION_FAILED']],
    ['a name of 100 characters', `name: "${'a'.repeat(100)}", port: 80, image: "registry.example.com/a:1"`, ['VALIDATION_FAILED']],
    ['an existing name', 'name: "web", port: 80, image: "registry.example.com/a:1"', ['APP_EXISTS']],
    ['an env var named 1X', 'name: "a8", port: 80, image: "registry.example.com/a:1", env: [{ name: "1X", value: "v" }]', ['VALIDATION_FAILED']],
    ['an env var named A=B', 'name: "a9", port: 80, image: "registry.example.com/a:1", env: [{ name: "A=B", value: "v" }]', ['VALIDATION_FAILED']],
    ['a git URL with credentials', 'name: "g1", port: 80, gitUrl: "https://user:secret@example.com/a.git"', ['VALIDATION_FAILED']],
    ['a git URL with an option as host', 'name: "g2", port: 80, gitUrl: "ssh://-oProxyCommand=touch/x"', ['VALIDATION_FAILED']],
    ['a file git URL', 'name: "g3", port: 80, gitUrl: "file:///etc"', ['VALIDATION_FAILED']],
    ['a git URL of another scheme', 'name: "g4", port: 80, gitUrl: "ftp://example.com/a.git"', ['VALIDATION_FAILED']],
    ['a git URL that is not a URL', 'name: "g5", port: 80, gitUrl: "not a url"', ['VALIDATION_FAILED']],
    ['a git URL with an escaped option as host', 'name: "g6", port: 80, gitUrl: "ssh://%2DoProxyCommand=touch%20%2Ftmp%2Fx/x"', ['VALIDATION_FAILED']],
    ['a git URL without a host', 'name: "g7", port: 80, gitUrl: "https:///x/y"', ['VALIDATION_FAILED']],
    ['a git URL with a newline', 'name: "g8", port: 80, gitUrl: "https://github.com/a/b.git\\nforged: yes"', ['VALIDATION_FAILED']],
    ['a git URL with a tab', 'name: "g9", port: 80, gitUrl: "https://github.com/a/\\tb.git"', ['VALIDATION_FAILED']],
    ['a git URL with an escape character', 'name: "g10", port: 80, gitUrl: "https://github.com/a/\\u001b[2Jb.git"', ['VALIDATION_FAILED']],
    ['a git URL at Redis on loopback', 'name: "g11", port: 80, gitUrl: "https://127.0.0.1:6379/x.git"', ['VALIDATION_FAILED']],
    ['a git URL at the cloud metadata service', 'name: "g12", port: 80, gitUrl: "https://169.254.169.254/latest.git"', ['VALIDATION_FAILED']],
    ['a git URL at a private address', 'name: "g13", port: 80, gitUrl: "ssh://git@192.168.1.10/acme/api.git"', ['VALIDATION_FAILED']],
    ['a git URL at localhost', 'name: "g14", port: 80, gitUrl: "https://localhost/acme/api.git"', ['VALIDATION_FAILED']],
    ['an unknown environment', 'name: "a10", port: 80, image: "registry.example.com/a:1", environment: "nope"', ['ENVIRONMENT_NOT_FOUND', 'VALIDATION_FAILED']],
  ];
  for (const [name, fields, codes] of badDeploys) mutation(`deployApp ${name}`, name === 'an unknown environment' ? `mutation { deployApp(input: { project: "p", ${fields} }) { id } }` : deploy(fields), codes);
  mutation('deployApp to an unknown project', 'mutation { deployApp(input: { project: "nope", name: "x", port: 80, image: "registry.example.com/a:1" }) { id } }', ['PROJECT_NOT_FOUND']);
  mutation('updateImage with a bad image', 'mutation { updateImage(app: { namespace: "p-test", name: "web" }, image: "not an image") { number } }', ['INVALID_IMAGE']);
  mutation('updateImage of an unknown app', 'mutation { updateImage(app: { namespace: "p-test", name: "nothere" }, image: "registry.example.com/a:1") { number } }', ['APP_NOT_FOUND']);
  mutation('updateImage with a bad commit', 'mutation { updateImage(app: { namespace: "p-test", name: "web" }, image: "registry.example.com/a:1", commit: "not hex") { number } }', ['VALIDATION_FAILED']);
  // web has no live revision yet: nothing to roll back from, whatever the target.
  mutation('rollbackApp to a revision that does not exist', 'mutation { rollbackApp(app: { namespace: "p-test", name: "web" }, revision: 9999) { number } }', ['REVISION_NOT_FOUND', 'NO_ROLLBACK_TARGET']);
  mutation('rollbackApp to revision 0', 'mutation { rollbackApp(app: { namespace: "p-test", name: "web" }, revision: 0) { number } }', ['REVISION_NOT_FOUND', 'VALIDATION_FAILED', 'NO_ROLLBACK_TARGET']);
  mutation('rollbackApp of an unknown app', 'mutation { rollbackApp(app: { namespace: "p-test", name: "nothere" }) { number } }', ['APP_NOT_FOUND']);
  mutation('promoteApp from the last environment', 'mutation { promoteApp(app: { namespace: "p-prod", name: "web" }) { number } }', ['APP_NOT_FOUND', 'NO_NEXT_ENVIRONMENT']);
  mutation('promoteApp to an unknown environment', 'mutation { promoteApp(app: { namespace: "p-test", name: "web" }, to: "nowhere") { number } }', ['ENVIRONMENT_NOT_FOUND', 'VALIDATION_FAILED']);
  mutation('rebuildApp of an image app', 'mutation { rebuildApp(app: { namespace: "p-test", name: "web" }) { number } }', ['WRONG_APP_SOURCE']);
  mutation('deleteApp of an unknown app', 'mutation { deleteApp(app: { namespace: "p-test", name: "nothere" }) }', ['APP_NOT_FOUND']);
  mutation('enableWebhook of an unknown app', 'mutation { enableWebhook(app: { namespace: "p-test", name: "nothere" }) { token } }', ['APP_NOT_FOUND']);
  mutation('disableWebhook of an unknown app', 'mutation { disableWebhook(app: { namespace: "p-test", name: "nothere" }) { enabled } }', ['APP_NOT_FOUND']);
  const trust = (args: string) => `mutation { trustWebhookIssuer(app: { namespace: "p-test", name: "web" }, ${args}) { id } }`;
  mutation('trustWebhookIssuer at Redis on loopback', trust('issuer: "https://127.0.0.1:6379", subject: "repo:a/b:ref:refs/heads/main"'), ['VALIDATION_FAILED']);
  mutation('trustWebhookIssuer at the cloud metadata service', trust('issuer: "http://169.254.169.254/latest", subject: "repo:a/b:ref:refs/heads/main"'), ['VALIDATION_FAILED']);
  mutation('trustWebhookIssuer at localhost', trust('issuer: "https://localhost", subject: "repo:a/b:ref:refs/heads/main"'), ['VALIDATION_FAILED']);
  mutation('trustWebhookIssuer with a newline in the issuer', trust('issuer: "https://gitlab.com\\nforged: yes", subject: "repo:a/b"'), ['VALIDATION_FAILED']);
  mutation('trustWebhookIssuer of every subject', trust('issuer: "https://token.actions.githubusercontent.com", subject: "*"'), ['VALIDATION_FAILED']);
  mutation('trustWebhookIssuer of every repository', trust('issuer: "https://token.actions.githubusercontent.com", subject: "repo:*"'), ['VALIDATION_FAILED']);
  mutation('trustWebhookIssuer with a subject of 10 000 characters', trust(`issuer: "https://token.actions.githubusercontent.com", subject: "repo:a/${'b'.repeat(10_000)}"`), ['VALIDATION_FAILED']);
  mutation('untrustWebhookIssuer of no trust', 'mutation { untrustWebhookIssuer(app: { namespace: "p-test", name: "web" }, id: "00000000-0000-0000-0000-000000000000") { id } }', ['WEBHOOK_TRUST_NOT_FOUND']);
  mutation('untrustWebhookIssuer naming nothing', 'mutation { untrustWebhookIssuer(app: { namespace: "p-test", name: "web" }) { id } }', ['VALIDATION_FAILED']);
  mutation('an app name found in two namespaces', 'mutation { updateImage(app: { name: "twice" }, image: "registry.example.com/a:1") { number } }', ['AMBIGUOUS_APP']);
  mutation('updateImage with a commit of control characters', 'mutation { updateImage(app: { namespace: "p-test", name: "web" }, image: "registry.example.com/a:1", commit: "abc\\u001b[2J") { number } }', ['VALIDATION_FAILED']);
  return cases;
}

/** Opens a graphql-ws socket, sends `messages`, and answers with how it ended: a close code, or the first error/next payload. */
function overWebSocket(name: string, messages: (t: Target) => (string | Buffer)[], expected: Pick<HostileCase, 'status' | 'codes'>, protocol = 'graphql-transport-ws'): HostileCase {
  return {
    name: `WebSocket ${name}`,
    shape: 'ws',
    status: expected.status,
    codes: expected.codes,
    send: (t) =>
      new Promise<Answer>((resolve) => {
        const socket = new WebSocket(t.wsUrl, protocol);
        const done = (answer: Answer) => {
          clearTimeout(timer);
          socket.removeAllListeners();
          socket.on('error', () => undefined);
          socket.terminate();
          resolve(answer);
        };
        const timer = setTimeout(() => done({ status: 0, contentType: 'timeout', text: '' }), 5_000);
        // The first message goes out on open, the rest once the server acknowledged the connection.
        const [first, ...rest] = messages(t);
        socket.on('open', () => socket.send(first!));
        socket.on('message', (data: Buffer) => {
          const message = JSON.parse(data.toString('utf8')) as { type: string; payload?: unknown };
          if (message.type === 'connection_ack') for (const next of rest.splice(0)) socket.send(next);
          if (message.type === 'error' || message.type === 'next') done({ status: 200, contentType: 'graphql', text: JSON.stringify({ errors: message.type === 'error' ? message.payload : (message.payload as { errors?: unknown }).errors }) });
        });
        socket.on('close', (code: number) => done({ status: code, contentType: 'close', text: '' }));
        socket.on('error', () => done({ status: 1006, contentType: 'close', text: '' }));
      }),
  };
}

function webSocketCases(): HostileCase[] {
  const init = (token: string | null) => JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} });
  const subscribe = (query: string, variables?: unknown, id = '1') => JSON.stringify({ id, type: 'subscribe', payload: { query, ...(variables ? { variables } : {}) } });
  const forbidden = { status: [4403], codes: [] };
  const cases: HostileCase[] = [
    overWebSocket('connection_init without a token', () => [init(null)], forbidden),
    overWebSocket('connection_init with a wrong token', () => [init('0'.repeat(64))], forbidden),
    overWebSocket('connection_init with a webhook token', (t) => [init(t.webhookToken)], forbidden),
    overWebSocket('a message that is not JSON', () => ['not json'], { status: [4400], codes: [] }),
    overWebSocket('a message of an unknown type', () => [JSON.stringify({ type: 'hello' })], { status: [4400], codes: [] }),
    overWebSocket('subscribe before connection_init', () => [subscribe('{ projects { name } }')], { status: [4401], codes: [] }),
    overWebSocket('connection_init twice', (t) => [init(t.adminToken), init(t.adminToken)], { status: [4429], codes: [] }),
    overWebSocket('a message over 1 MiB', (t) => [JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${t.adminToken}`, pad: 'x'.repeat(1024 * 1024 + 1) } })], { status: [1009], codes: [] }),
    overWebSocket('the wrong subprotocol', (t) => [init(t.adminToken)], { status: [1002, 4406, 1006], codes: [] }, 'graphql-ws'),
    overWebSocket('a subscription over budget', (t) => [init(t.adminToken), subscribe('{ app(ref: { namespace: "p-test", name: "web" }) { revisions(first: 100) { nodes { app { revisions(first: 100) { nodes { app { revisions(first: 100) { nodes { number } } } } } } } } } }')], { status: [200], codes: ['QUERY_TOO_COMPLEX'] }),
    overWebSocket('a subscription to an unknown app', (t) => [init(t.adminToken), subscribe('subscription { appEvents(app: { namespace: "p-test", name: "nothere" }) { type } }')], { status: [200], codes: ['APP_NOT_FOUND'] }),
    overWebSocket('a subscription to an unknown project', (t) => [init(t.adminToken), subscribe('subscription { projectEvents(project: "nope") { type } }')], { status: [200], codes: ['PROJECT_NOT_FOUND'] }),
    overWebSocket('a build log of a build that does not exist', (t) => [init(t.adminToken), subscribe('subscription { buildLog(buildId: "00000000-0000-0000-0000-000000000000") { line } }')], { status: [200], codes: ['BUILD_NOT_FOUND'] }),
    overWebSocket('a build log of a build id that is no id', (t) => [init(t.adminToken), subscribe('subscription { buildLog(buildId: "../../etc") { line } }')], { status: [200], codes: ['BUILD_NOT_FOUND', 'VALIDATION_FAILED'] }),
    overWebSocket('logs of a pod name that is a path', (t) => [init(t.adminToken), subscribe('subscription { podLogs(app: { namespace: "p-test", name: "web" }, pod: "../../etc/passwd") { line } }')], { status: [200], codes: ['POD_NOT_FOUND'] }),
    overWebSocket('logs with a huge tail', (t) => [init(t.adminToken), subscribe('subscription { podLogs(app: { namespace: "p-test", name: "web" }, tail: 100000000) { line } }')], { status: [200], codes: ['VALIDATION_FAILED'] }),
    overWebSocket('logs of an unknown app', (t) => [init(t.adminToken), subscribe('subscription { podLogs(app: { namespace: "p-test", name: "nothere" }) { line } }')], { status: [200], codes: ['APP_NOT_FOUND'] }),
    overWebSocket('a syntax error', (t) => [init(t.adminToken), subscribe('subscription {')], { status: [200], codes: ['VALIDATION_FAILED'] }),
    overWebSocket('an unknown field', (t) => [init(t.adminToken), subscribe('subscription { nothing }')], { status: [200], codes: ['VALIDATION_FAILED'] }),
    overWebSocket('a mutation with a bad image', (t) => [init(t.adminToken), subscribe('mutation { updateImage(app: { namespace: "p-test", name: "web" }, image: "bad image") { number } }')], { status: [200], codes: ['INVALID_IMAGE'] }),
    overWebSocket('a mutation of an unknown app', (t) => [init(t.adminToken), subscribe('mutation { deleteApp(app: { namespace: "p-test", name: "nothere" }) }')], { status: [200], codes: ['APP_NOT_FOUND'] }),
    overWebSocket('variables of the wrong type', (t) => [init(t.adminToken), subscribe('query($n: String!) { project(name: $n) { name } }', { n: 5 })], { status: [200], codes: ['VALIDATION_FAILED'] }),
    overWebSocket('51 aliases', (t) => [init(t.adminToken), subscribe(`{ ${Array.from({ length: 51 }, (_, i) => `a${i}: projects { name }`).join(' ')} }`)], { status: [200], codes: ['VALIDATION_FAILED'] }),
    overWebSocket('a subscribe without an id', (t) => [init(t.adminToken), JSON.stringify({ type: 'subscribe', payload: { query: '{ projects { name } }' } })], { status: [4400], codes: [] }),
    overWebSocket('a subscribe whose query is not a string', (t) => [init(t.adminToken), JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 42 } })], { status: [4400], codes: [] }),
    overWebSocket('a binary frame', () => [Buffer.from([0, 1, 2, 3])], { status: [4400], codes: [] }),
  ];
  return cases;
}

export function hostileCases(): HostileCase[] {
  return [...restCases(), ...graphqlCases(), ...webSocketCases()];
}
