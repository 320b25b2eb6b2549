import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * A GitLab REST API (v4) on 127.0.0.1 for the feedback tests. GitLab publishes no OpenAPI
 * description of these endpoints in a package (its openapi_v2.yaml covers only part of the API
 * and is not on npm), so the request shapes are encoded here from GitLab's API documentation
 * (docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit and
 * docs.gitlab.com/api/deployments/): the attributes each endpoint takes, which are required, and
 * their enums; anything else is refused. Commit statuses follow GitLab's state machine: a
 * transition it does not allow (the same state again) is answered 400 "Cannot transition status".
 */

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ allErrors: true });
addFormats(ajv);

const DEPLOYMENT_STATUSES = ['running', 'success', 'failed', 'canceled'];

/** POST /projects/:id/statuses/:sha: state required; ref, name or context, target_url, description, coverage, pipeline_id optional. */
const commitStatusBody = ajv.compile({
  type: 'object',
  required: ['state'],
  additionalProperties: false,
  properties: {
    state: { enum: ['pending', 'running', 'success', 'failed', 'canceled', 'skipped'] },
    ref: { type: 'string' },
    name: { type: 'string', minLength: 1 },
    context: { type: 'string', minLength: 1 },
    target_url: { type: 'string', format: 'uri' },
    description: { type: 'string' },
    coverage: { type: 'number' },
    pipeline_id: { type: 'integer' },
  },
});

/** POST /projects/:id/deployments: environment, sha, ref, tag and status, all required. */
const createDeploymentBody = ajv.compile({
  type: 'object',
  required: ['environment', 'sha', 'ref', 'tag', 'status'],
  additionalProperties: false,
  properties: {
    environment: { type: 'string', minLength: 1 },
    sha: { type: 'string', pattern: '^[0-9a-f]{40}$' },
    ref: { type: 'string', minLength: 1 },
    tag: { type: 'boolean' },
    status: { enum: DEPLOYMENT_STATUSES },
  },
});

/** PUT /projects/:id/deployments/:deployment_id: status required. */
const updateDeploymentBody = ajv.compile({
  type: 'object',
  required: ['status'],
  additionalProperties: false,
  properties: { status: { enum: DEPLOYMENT_STATUSES } },
});

type Operation = 'get-project' | 'get-commit' | 'create-commit-status' | 'create-deployment' | 'update-deployment';

const ROUTES: { method: string; regex: RegExp; operation: Operation; body?: ValidateFunction }[] = [
  { method: 'GET', regex: /^\/api\/v4\/projects\/([^/]+)$/, operation: 'get-project' },
  { method: 'GET', regex: /^\/api\/v4\/projects\/([^/]+)\/repository\/commits\/([^/]+)$/, operation: 'get-commit' },
  { method: 'POST', regex: /^\/api\/v4\/projects\/([^/]+)\/statuses\/([0-9a-f]{40})$/, operation: 'create-commit-status', body: commitStatusBody },
  { method: 'POST', regex: /^\/api\/v4\/projects\/([^/]+)\/deployments$/, operation: 'create-deployment', body: createDeploymentBody },
  { method: 'PUT', regex: /^\/api\/v4\/projects\/([^/]+)\/deployments\/([0-9]+)$/, operation: 'update-deployment', body: updateDeploymentBody },
];

export interface GitLabRequest {
  method: string;
  path: string;
  operation: Operation | '(none)';
  body: unknown;
  status: number;
}

export interface GitLabStatus {
  sha: string;
  name: string;
  state: string;
  description: string | null;
  target_url: string | null;
}

export interface GitLabDeployment {
  id: number;
  iid: number;
  environment: string;
  sha: string;
  ref: string;
  tag: boolean;
  /** Every status it had, the first one given at creation. */
  statuses: string[];
}

const FINISHED = new Set(['success', 'failed', 'canceled', 'skipped']);
/** GitLab's state machine events of a commit status: which states each target state may come from. */
const ALLOWED_FROM: Record<string, Set<string>> = {
  pending: new Set(['created', 'running']),
  running: new Set(['created', 'pending']),
  success: new Set(['created', 'pending', 'running']),
  failed: new Set(['created', 'pending', 'running']),
  canceled: new Set(['created', 'pending', 'running']),
  skipped: new Set(['created', 'pending']),
};
const EVENT = { pending: 'enqueue', running: 'run', success: 'success', failed: 'drop', canceled: 'cancel', skipped: 'skip' } as Record<string, string>;

export class FakeGitLab {
  readonly requests: GitLabRequest[] = [];
  readonly problems: string[] = [];
  readonly statuses: GitLabStatus[] = [];
  readonly deployments: GitLabDeployment[] = [];
  readonly commits = new Map<string, string>();
  private readonly failures: { operation: Operation; status: number; count: number }[] = [];
  private nextId = 500;
  private server: Server | undefined;
  url = '';

  constructor(
    readonly token: string,
    readonly project: string,
    readonly defaultBranch = 'main',
  ) {}

  /** The API URL to connect to (`…/api/v4`). */
  get apiUrl(): string {
    return `${this.url}/api/v4`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  failNext(operation: Operation, status: number, count = 1): void {
    this.failures.push({ operation, status, count });
  }

  /** The states a commit status went through (successful requests only). */
  statesOf(sha: string, name: string): string[] {
    return this.statuses.filter((s) => s.sha === sha && s.name === name).map((s) => s.state);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const route = ROUTES.find((r) => r.method === method && r.regex.test(url.pathname));
    const record: GitLabRequest = { method, path: url.pathname, operation: route?.operation ?? '(none)', body: undefined, status: 0 };
    this.requests.push(record);
    const answer = (status: number, body: unknown) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!route) {
      this.problems.push(`${method} ${url.pathname}: not an endpoint of GitLab's API`);
      return answer(404, { error: '404 Not Found' });
    }
    if (req.headers['private-token'] !== this.token) return answer(401, { message: '401 Unauthorized' });
    const match = route.regex.exec(url.pathname)!;
    const id = decodeURIComponent(match[1]!);
    if (id !== this.project && id !== '42') return answer(404, { message: '404 Project Not Found' });
    if (route.body) {
      if (!/^application\/json/.test(req.headers['content-type'] ?? '')) this.problems.push(`${route.operation}: content-type ${req.headers['content-type'] ?? 'none'}`);
      try {
        record.body = JSON.parse(raw);
      } catch {
        this.problems.push(`${route.operation}: body is not JSON`);
        return answer(400, { error: 'body is not JSON' });
      }
      if (!route.body(record.body)) {
        const problem = ajv.errorsText(route.body.errors);
        this.problems.push(`${route.operation}: ${problem}`);
        return answer(400, { error: problem });
      }
    } else if (raw) {
      this.problems.push(`${route.operation}: a body was sent to an endpoint that takes none`);
    }
    const failure = this.failures.find((f) => f.operation === route.operation && f.count > 0);
    if (failure) {
      failure.count--;
      return answer(failure.status, { message: `${failure.status} Internal Server Error` });
    }
    const body = (record.body ?? {}) as Record<string, unknown>;
    const now = new Date().toISOString();
    const user = { id: 7, username: 'kipper-bot', name: 'Kipper', state: 'active', avatar_url: null, web_url: 'https://gitlab.example.com/kipper-bot' };
    switch (route.operation) {
      case 'get-project':
        return answer(200, { id: 42, name: 'api', path_with_namespace: this.project, default_branch: this.defaultBranch, web_url: `https://gitlab.example.com/${this.project}` });
      case 'get-commit': {
        const sha = this.commits.get(decodeURIComponent(match[2]!));
        if (!sha) return answer(404, { message: '404 Commit Not Found' });
        return answer(200, { id: sha, short_id: sha.slice(0, 8), title: 'a commit', created_at: now });
      }
      case 'create-commit-status': {
        const sha = match[2]!;
        const name = String(body.name ?? body.context ?? 'default');
        const state = String(body.state);
        const previous = this.statuses.filter((s) => s.sha === sha && s.name === name).at(-1)?.state ?? 'created';
        // A finished status is not changed: a new one (a new job) is created, as GitLab does.
        if (!FINISHED.has(previous) && !ALLOWED_FROM[state]!.has(previous)) {
          return answer(400, { message: `Cannot transition status via :${EVENT[state]} from :${previous} (Reason(s): Status cannot transition via "${EVENT[state]}")` });
        }
        const status: GitLabStatus = { sha, name, state, description: typeof body.description === 'string' ? body.description : null, target_url: typeof body.target_url === 'string' ? body.target_url : null };
        this.statuses.push(status);
        return answer(201, { id: this.nextId++, sha, ref: body.ref ?? null, status: state, name, target_url: status.target_url, description: status.description, created_at: now, started_at: null, finished_at: null, allow_failure: false, coverage: null, author: user });
      }
      case 'create-deployment': {
        const d: GitLabDeployment = { id: this.nextId++, iid: this.deployments.length + 1, environment: String(body.environment), sha: String(body.sha), ref: String(body.ref), tag: body.tag === true, statuses: [String(body.status)] };
        this.deployments.push(d);
        return answer(201, { id: d.id, iid: d.iid, ref: d.ref, sha: d.sha, created_at: now, updated_at: now, status: body.status, user, environment: { id: 9, name: d.environment, external_url: null }, deployable: null });
      }
      case 'update-deployment': {
        const d = this.deployments.find((x) => x.id === Number(match[2]));
        if (!d) return answer(404, { message: '404 Deployment Not Found' });
        d.statuses.push(String(body.status));
        return answer(200, { id: d.id, iid: d.iid, ref: d.ref, sha: d.sha, created_at: now, updated_at: now, status: body.status, user, environment: { id: 9, name: d.environment, external_url: null }, deployable: null });
      }
    }
  }
}
