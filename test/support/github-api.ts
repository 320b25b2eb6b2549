import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * A GitHub REST API on 127.0.0.1 for the feedback tests. Every request is checked against
 * GitHub's published OpenAPI description of api.github.com (the `@octokit/openapi` package):
 * the operation (method + path template) must exist, its path and query parameters and its JSON
 * body must match their schemas; each answer it gives is checked against the operation's
 * response schema too, so the fake cannot drift from GitHub either. Requests are recorded; the
 * answers are GitHub's shapes (ids, URLs, users) for the few operations Kipper uses.
 */

const require = createRequire(import.meta.url);
// This one description (13 MB), not the package's index, which loads every variant (300 MB).
const spec = openApi30ToAjv(require('@octokit/openapi/generated/api.github.com.json')) as OpenApi;
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

interface Schema {
  $ref?: string;
  [key: string]: unknown;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  operationId: string;
  parameters?: (Parameter | { $ref: string })[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> } | { $ref: string }>;
}
interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { parameters: Record<string, Parameter>; examples: Record<string, { value: unknown }> };
}

export interface RecordedRequest {
  method: string;
  path: string;
  operationId: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  status: number;
}

export interface FakeDeployment {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  description: string | null;
  payload: unknown;
  transient_environment: boolean;
  production_environment: boolean;
  statuses: { state: string; description: string; log_url: string; environment_url: string; environment: string }[];
}

export interface FakeCommitStatus {
  sha: string;
  state: string;
  context: string;
  description: string | null;
  target_url: string | null;
}

/**
 * OpenAPI 3.0 allows `nullable: true` beside `allOf` / `$ref` with no `type`; JSON Schema (ajv)
 * does not: such a schema becomes "this, or null". Everything else is kept as published.
 */
function openApi30ToAjv(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openApi30ToAjv);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = openApi30ToAjv(value);
  if (out.nullable === true && out.type === undefined) {
    const { nullable: _nullable, description, ...rest } = out;
    return { ...(description === undefined ? {} : { description }), anyOf: [rest, { type: 'null' }] };
  }
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);
// The whole description under one id: `#/components/…` references inside it resolve, and only
// what an operation reaches is compiled.
ajv.addSchema(spec as unknown as object, 'github');

const pointer = (...parts: string[]) => parts.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
const validators = new Map<string, ValidateFunction>();
function validatorAt(path: string): ValidateFunction {
  let validate = validators.get(path);
  if (!validate) {
    validate = ajv.compile({ $ref: `github#/${path}` });
    validators.set(path, validate);
  }
  return validate;
}

const routes = Object.entries(spec.paths).flatMap(([template, item]) =>
  Object.entries(item)
    .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
    .map(([method, operation]) => {
      const names: string[] = [];
      const source = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      return { template, method: method.toUpperCase(), operation, names, regex: new RegExp(`^${source}$`), literal: template.replace(/\{[^}]+\}/g, '').length };
    }),
);

function resolveParameter(p: Parameter | { $ref: string }): Parameter {
  if ('$ref' in p) return spec.components.parameters[p.$ref.split('/').pop()!]!;
  return p;
}

/** The value of a string parameter as its schema types it (path and query strings are text on the wire). */
function coerce(value: string, schema: Schema | undefined): unknown {
  const type = schema?.type;
  if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}

const user = (id: number, login: string) => ({
  login,
  id,
  node_id: `MDQ6VXNlcj${id}`,
  avatar_url: `https://avatars.example.com/u/${id}`,
  gravatar_id: '',
  url: `https://api.github.com/users/${login}`,
  html_url: `https://github.com/${login}`,
  followers_url: `https://api.github.com/users/${login}/followers`,
  following_url: `https://api.github.com/users/${login}/following{/other_user}`,
  gists_url: `https://api.github.com/users/${login}/gists{/gist_id}`,
  starred_url: `https://api.github.com/users/${login}/starred{/owner}{/repo}`,
  subscriptions_url: `https://api.github.com/users/${login}/subscriptions`,
  organizations_url: `https://api.github.com/users/${login}/orgs`,
  repos_url: `https://api.github.com/users/${login}/repos`,
  events_url: `https://api.github.com/users/${login}/events{/privacy}`,
  received_events_url: `https://api.github.com/users/${login}/received_events`,
  type: 'Bot',
  site_admin: false,
});

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  /** What the description refused (requests) or would refuse (the fake's own answers): tests expect none. */
  readonly problems: string[] = [];
  readonly deployments: FakeDeployment[] = [];
  readonly statuses: FakeCommitStatus[] = [];
  /** Short SHAs `GET /repos/{owner}/{repo}/commits/{ref}` knows. */
  readonly commits = new Map<string, string>();
  private readonly failures: { operationId: string; status: number; count: number }[] = [];
  private nextId = 1000;
  private server: Server | undefined;
  url = '';

  constructor(
    readonly token: string,
    readonly repository: string,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next `count` calls of an operation are answered `status` (e.g. 500), then it works again. */
  failNext(operationId: string, status: number, count = 1): void {
    this.failures.push({ operationId, status, count });
  }

  deploymentsIn(environment: string): FakeDeployment[] {
    return this.deployments.filter((d) => d.environment === environment);
  }

  statusesOf(sha: string, context: string): FakeCommitStatus[] {
    return this.statuses.filter((s) => s.sha === sha && s.context === context);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const candidates = routes.filter((r) => r.method === method && r.regex.test(url.pathname)).sort((a, b) => b.literal - a.literal);
    const route = candidates[0];
    const record: RecordedRequest = { method, path: url.pathname, operationId: route?.operation.operationId ?? '(none)', params: {}, query: Object.fromEntries(url.searchParams), body: undefined, status: 0 };
    this.requests.push(record);
    const answer = (status: number, body: unknown, responseSchemaOf?: string) => {
      record.status = status;
      if (responseSchemaOf && route) this.checkResponse(route.template, method, status, body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-github-media-type': 'github.v3; format=json' });
      res.end(JSON.stringify(body));
    };
    if (!route) {
      this.problems.push(`${method} ${url.pathname}: no such operation in the description`);
      return answer(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    }
    const match = route.regex.exec(url.pathname)!;
    route.names.forEach((name, i) => (record.params[name] = decodeURIComponent(match[i + 1]!)));

    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${this.token}` && auth !== `Bearer ${this.token}`) return answer(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });

    const problems = this.checkRequest(route.template, method, route.operation, record, raw);
    if (problems.length) {
      this.problems.push(...problems.map((p) => `${route.operation.operationId}: ${p}`));
      return answer(422, { message: 'Validation Failed', errors: problems, documentation_url: 'https://docs.github.com/rest' });
    }
    const failure = this.failures.find((f) => f.operationId === route.operation.operationId && f.count > 0);
    if (failure) {
      failure.count--;
      return answer(failure.status, { message: 'Server Error' });
    }
    const [owner, repo] = this.repository.split('/');
    if (record.params.owner !== owner || record.params.repo !== repo) return answer(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    const result = this.operate(route.operation.operationId, record);
    return answer(result.status, result.body, 'check');
  }

  private checkRequest(template: string, method: string, operation: Operation, record: RecordedRequest, raw: string): string[] {
    const problems: string[] = [];
    for (const p of (operation.parameters ?? []).map(resolveParameter)) {
      const value = p.in === 'path' ? record.params[p.name] : p.in === 'query' ? record.query[p.name] : undefined;
      if (value === undefined) {
        if (p.required && p.in !== 'header') problems.push(`parameter ${p.name} (${p.in}) is required`);
        continue;
      }
      if (p.schema) {
        const validate = ajv.compile(p.schema);
        if (!validate(coerce(value, p.schema))) problems.push(`parameter ${p.name}=${value}: ${ajv.errorsText(validate.errors)}`);
      }
    }
    for (const name of Object.keys(record.query)) {
      if (!(operation.parameters ?? []).map(resolveParameter).some((p) => p.in === 'query' && p.name === name)) problems.push(`query parameter ${name} is not in the description`);
    }
    const json = operation.requestBody?.content['application/json'];
    if (json) {
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        problems.push('body is not JSON');
      }
      record.body = body;
      if (body === undefined) {
        if (operation.requestBody?.required) problems.push('a JSON body is required');
      } else {
        const validate = validatorAt(pointer('paths', template, method.toLowerCase(), 'requestBody', 'content', 'application/json', 'schema'));
        if (!validate(body)) problems.push(`body: ${ajv.errorsText(validate.errors)}`);
      }
    } else if (raw) {
      problems.push('a body was sent to an operation that takes none');
    }
    return problems;
  }

  private checkResponse(template: string, method: string, status: number, body: unknown): void {
    const response = spec.paths[template]![method.toLowerCase()]!.responses[String(status)];
    if (!response || '$ref' in response || !response.content?.['application/json']) {
      this.problems.push(`fake answered ${status} to ${method} ${template}, which the description does not list`);
      return;
    }
    const validate = validatorAt(pointer('paths', template, method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema'));
    if (!validate(body)) this.problems.push(`fake's ${status} answer to ${method} ${template}: ${ajv.errorsText(validate.errors)}`);
  }

  private operate(operationId: string, record: RecordedRequest): { status: number; body: unknown } {
    const api = `${this.url}/repos/${this.repository}`;
    const now = new Date().toISOString();
    const body = (record.body ?? {}) as Record<string, unknown>;
    const deploymentOf = (d: FakeDeployment) => ({
      url: `${api}/deployments/${d.id}`,
      id: d.id,
      node_id: `DE_${d.id}`,
      sha: d.sha,
      ref: d.ref,
      task: 'deploy',
      payload: d.payload as Record<string, unknown>,
      original_environment: d.environment,
      environment: d.environment,
      description: d.description,
      creator: user(1, 'kipper-bot'),
      created_at: now,
      updated_at: now,
      statuses_url: `${api}/deployments/${d.id}/statuses`,
      repository_url: api,
      transient_environment: d.transient_environment,
      production_environment: d.production_environment,
    });
    switch (operationId) {
      case 'repos/create-deployment': {
        const ref = String(body.ref);
        const sha = /^[0-9a-f]{40}$/.test(ref) ? ref : (this.commits.get(ref) ?? ref);
        const d: FakeDeployment = {
          id: this.nextId++,
          sha,
          ref,
          environment: typeof body.environment === 'string' ? body.environment : 'production',
          description: typeof body.description === 'string' ? body.description : null,
          payload: body.payload ?? {},
          transient_environment: body.transient_environment === true,
          production_environment: typeof body.production_environment === 'boolean' ? body.production_environment : body.environment === 'production',
          statuses: [],
        };
        this.deployments.push(d);
        return { status: 201, body: deploymentOf(d) };
      }
      case 'repos/list-deployments': {
        const list = this.deployments.filter((d) => (!record.query.sha || d.sha === record.query.sha) && (!record.query.environment || d.environment === record.query.environment));
        return { status: 200, body: list.map(deploymentOf) };
      }
      case 'repos/create-deployment-status': {
        const d = this.deployments.find((x) => x.id === Number(record.params.deployment_id));
        if (!d) return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
        const status = {
          state: String(body.state),
          description: typeof body.description === 'string' ? body.description : '',
          log_url: typeof body.log_url === 'string' ? body.log_url : '',
          environment_url: typeof body.environment_url === 'string' ? body.environment_url : '',
          environment: typeof body.environment === 'string' ? body.environment : d.environment,
        };
        d.statuses.push(status);
        const id = this.nextId++;
        return {
          status: 201,
          body: {
            url: `${api}/deployments/${d.id}/statuses/${id}`,
            id,
            node_id: `DES_${id}`,
            state: status.state as 'success',
            creator: user(1, 'kipper-bot'),
            description: status.description,
            environment: status.environment,
            target_url: status.log_url,
            ...(status.log_url ? { log_url: status.log_url } : {}),
            ...(status.environment_url ? { environment_url: status.environment_url } : {}),
            created_at: now,
            updated_at: now,
            deployment_url: `${api}/deployments/${d.id}`,
            repository_url: api,
          },
        };
      }
      case 'repos/create-commit-status': {
        const status: FakeCommitStatus = {
          sha: record.params.sha!,
          state: String(body.state),
          context: typeof body.context === 'string' ? body.context : 'default',
          description: typeof body.description === 'string' ? body.description : null,
          target_url: typeof body.target_url === 'string' ? body.target_url : null,
        };
        this.statuses.push(status);
        const id = this.nextId++;
        return {
          status: 201,
          body: {
            url: `${api}/statuses/${status.sha}`,
            avatar_url: 'https://avatars.example.com/u/1',
            id,
            node_id: `SC_${id}`,
            state: status.state,
            description: status.description,
            target_url: status.target_url,
            context: status.context,
            created_at: now,
            updated_at: now,
            creator: user(1, 'kipper-bot'),
          },
        };
      }
      case 'repos/get-commit': {
        const sha = this.commits.get(record.params.ref!);
        if (!sha) return { status: 404, body: { message: 'No commit found for SHA: ' + record.params.ref, documentation_url: 'https://docs.github.com/rest' } };
        // GitHub's own example of a commit, with this one's SHA (its `files` entries lack fields its own schema requires).
        const example = structuredClone(spec.components.examples.commit!.value) as Record<string, unknown>;
        return { status: 200, body: { ...example, sha, files: [] } };
      }
      default:
        this.problems.push(`the fake does not implement ${operationId}`);
        return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
    }
  }
}
