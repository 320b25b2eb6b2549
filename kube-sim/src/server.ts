import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { coreVersions, groupList, resourceList, versionInfo } from './discovery.js';
import { mediaType, parseJson, readBody, sendError, sendJson, unsupportedMediaType } from './http.js';
import type { Logs } from './logs.js';
import type { Objects } from './objects.js';
import { applyPatch, PATCH_TYPES, type PatchType } from './patch.js';
import { servePodLog } from './podlog.js';
import { apiVersionOf, type ResourceType } from './resources.js';
import { parseResourcePath, pathNotFound, type ResourceRoute } from './routes.js';
import { getScale, updateScale } from './scale.js';
import { combine, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { ApiError } from './status.js';
import { pushImage } from './registry.js';
import { isObject } from './types.js';
import { asTable, wantsTable } from './table.js';
import { serveWatch } from './watch.js';

export interface ServerContext {
  objects: Objects;
  logs: Logs;
  /** Long-lived responses (watches, followed logs) that close() must end. */
  openStreams: Set<ServerResponse>;
  onRequest?: (request: ServedRequest) => void;
}

/** One request as Kubernetes RBAC sees it. */
export interface ServedRequest {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  /** Inside one namespace (a Role could grant it) or cluster-wide (only a ClusterRole can). */
  namespaced: boolean;
  /** Who asked (the User-Agent header), so a test can tell its own requests from Kipper's. */
  userAgent: string;
}

/** The RBAC verb of a resource request (https://kubernetes.io/docs/reference/access-authn-authz/authorization/#determine-the-request-verb). */
function verbOf(method: string, route: ResourceRoute, query: URLSearchParams): string {
  const collection = route.name === undefined;
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (!collection) return 'get';
      return route.watchPrefix || query.get('watch') === 'true' || query.get('watch') === '1' ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return collection ? 'deletecollection' : 'delete';
    default:
      return method.toLowerCase();
  }
}

const methodNotAllowed = (method: string) =>
  new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`);

export function createApiServer(ctx: ServerContext): Server {
  return createServer((req, res) => {
    handle(ctx, req, res).catch((err: unknown) => sendError(res, err));
  });
}

async function handle(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (req.method === 'GET' && serveNonResource(path, res)) return;
  if (path.startsWith(SIMULATOR_PREFIX)) return serveSimulatorControl(path, req, res);
  const route = parseResourcePath(path);
  if (!route) throw pathNotFound();
  ctx.onRequest?.({
    verb: verbOf(req.method ?? '', route, url.searchParams),
    group: route.resource.group,
    resource: route.resource.plural,
    ...(route.subresource ? { subresource: route.subresource } : {}),
    namespaced: route.namespace !== undefined,
    userAgent: req.headers['user-agent'] ?? '',
  });
  await handleResource(ctx, route, req, res, url.searchParams);
}

/** The simulator's own controls, under a path no Kubernetes API uses. */
const SIMULATOR_PREFIX = '/kipper-sim/';

async function serveSimulatorControl(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (path !== '/kipper-sim/v1/images/push') throw pathNotFound();
  if (req.method !== 'POST') throw methodNotAllowed(req.method ?? '');
  const body = parseJson(await readBody(req));
  const image = isObject(body) && typeof body.image === 'string' ? body.image.trim() : '';
  if (!image || image.includes('@')) throw new ApiError(422, 'Invalid', 'body must be {"image": "repository:tag"} (a tag, not a digest)');
  sendJson(res, 200, pushImage(image));
}

function serveNonResource(path: string, res: ServerResponse): boolean {
  const segments = path.split('/').filter(Boolean);
  let body: unknown;
  if (path === '/version') body = versionInfo;
  else if (path === '/api') body = coreVersions();
  else if (path === '/apis') body = groupList();
  else if (path === '/healthz' || path === '/livez' || path === '/readyz') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
    return true;
  } else if (segments[0] === 'api' && segments.length === 2) body = resourceList('', segments[1]!);
  else if (segments[0] === 'apis' && segments.length === 3) body = resourceList(segments[1]!, segments[2]!);
  else if (segments[0] === 'apis' && segments.length === 2) {
    body = groupList().groups.find((g) => g.name === segments[1]);
    if (body) body = { kind: 'APIGroup', apiVersion: 'v1', ...body };
  } else return false;
  if (body === undefined) throw pathNotFound();
  sendJson(res, 200, body);
  return true;
}

async function readJsonBody(req: IncomingMessage, allowed: readonly string[]): Promise<{ type: string; body: unknown }> {
  const type = mediaType(req);
  if (!allowed.includes(type)) throw unsupportedMediaType(type);
  return { type, body: parseJson(await readBody(req)) };
}

async function handleResource(
  ctx: ServerContext,
  route: ResourceRoute,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const { objects } = ctx;
  const { resource, namespace, name, subresource } = route;
  const dryRun = query.getAll('dryRun').includes('All');
  const status = subresource === 'status' ? 'status' : undefined;
  switch (req.method ?? '') {
    case 'GET': {
      if (name === undefined) {
        const watch = route.watchPrefix || query.get('watch') === 'true' || query.get('watch') === '1';
        const selector = combine(parseLabelSelector(query.get('labelSelector')), parseFieldSelector(query.get('fieldSelector')));
        if (watch) {
          const timeout = query.get('timeoutSeconds');
          serveWatch(
            req,
            res,
            objects.store,
            {
              resource,
              namespace,
              selector,
              resourceVersion: query.get('resourceVersion'),
              timeoutSeconds: timeout === null ? undefined : Number(timeout),
              allowBookmarks: query.get('allowWatchBookmarks') === 'true',
              sendInitialEvents: query.get('sendInitialEvents') === 'true',
            },
            ctx.openStreams,
          );
          return;
        }
        return respond(req, res, resource, listOf(resource, objects.list(resource, namespace, selector), objects.store.resourceVersion));
      }
      if (subresource === 'log') return servePodLog(res, ctx.logs, objects.get(resource, namespace, name), query, ctx.openStreams);
      if (subresource === 'scale') return sendJson(res, 200, getScale(objects.get(resource, namespace, name)));
      return respond(req, res, resource, objects.get(resource, namespace, name));
    }
    case 'POST': {
      if (name !== undefined) throw methodNotAllowed('POST');
      const { body } = await readJsonBody(req, ['application/json']);
      return sendJson(res, 201, objects.create(resource, namespace, body, { dryRun }));
    }
    case 'PUT': {
      if (name === undefined || subresource === 'log') throw methodNotAllowed('PUT');
      const { body } = await readJsonBody(req, ['application/json']);
      if (subresource === 'scale') return sendJson(res, 200, updateScale(objects, resource, namespace, name, body, dryRun));
      return sendJson(res, 200, objects.update(resource, namespace, name, body, status, { dryRun }));
    }
    case 'PATCH': {
      if (name === undefined || subresource === 'log') throw methodNotAllowed('PATCH');
      const { type, body } = await readJsonBody(req, PATCH_TYPES);
      if (subresource === 'scale') {
        const scale = applyPatch(type as PatchType, getScale(objects.get(resource, namespace, name)), body);
        return sendJson(res, 200, updateScale(objects, resource, namespace, name, scale, dryRun));
      }
      return sendJson(res, 200, objects.patch(resource, namespace, name, type as PatchType, body, status, { dryRun }));
    }
    case 'DELETE': {
      // DeleteOptions (propagationPolicy, gracePeriodSeconds) are accepted and ignored: deletion is immediate.
      await readBody(req);
      if (name !== undefined) return sendJson(res, 200, objects.delete(resource, namespace, name, { dryRun }));
      const selector = combine(parseLabelSelector(query.get('labelSelector')), parseFieldSelector(query.get('fieldSelector')));
      const deleted = objects.list(resource, namespace, selector).map((o) => objects.delete(resource, o.metadata.namespace, o.metadata.name!, { dryRun }));
      return sendJson(res, 200, listOf(resource, deleted, objects.store.resourceVersion));
    }
    default:
      throw methodNotAllowed(req.method ?? '');
  }
}

function listOf(resource: ResourceType, items: unknown[], resourceVersion: string) {
  return { kind: `${resource.kind}List`, apiVersion: apiVersionOf(resource), metadata: { resourceVersion }, items };
}

/** kubectl asks for server-side tables; everyone else gets the object itself. */
function respond(req: IncomingMessage, res: ServerResponse, resource: ResourceType, body: Record<string, unknown>) {
  if (wantsTable(req.headers.accept)) sendJson(res, 200, asTable(resource, body));
  else sendJson(res, 200, body);
}
