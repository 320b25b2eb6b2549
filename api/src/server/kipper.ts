import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { connectCluster, type Cluster } from '@kipper/kube';
import express, { type NextFunction, type Request, type Response } from 'express';
import { type GraphQLFormattedError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { DataSource } from 'typeorm';
import { WebSocketServer } from 'ws';
import { type KipperServices, type KipperConfig, type Principal, ConfigError, openDatabase, createDataSource, ErrorCode, createPubSub, type KipperPubSub, createJobQueue, type JobQueue, consoleLogger, describeError, type Logger, createServices, createKipperMetrics, createRedis, closeRedis } from '@kipper/core';
import type { Redis } from 'ioredis';
import { subscribeSharingEvents } from '../events/shared-subscribe.js';
import { createContext, type KipperContext } from '../graphql/context.js';
import { DocumentCache } from '../graphql/document-cache.js';
import { concurrencyLimitPlugin } from '../graphql/concurrency.js';
import { costOrUndefined, operationBudgetPlugin, tooComplex } from '../graphql/cost.js';
import { formatError, unauthenticated } from '../graphql/errors.js';
import { kipperValidationRules, validateWithLimits } from '../graphql/limits.js';
import { buildKipperSchema } from '../graphql/schema.js';
import { createApiMetrics, type ApiMetrics } from '../observability/api-metrics.js';
import { graphqlMetricsPlugin } from '../observability/graphql-metrics.js';
import { opsRoutes } from '../observability/ops-routes.js';
import { countedWhileOpen } from '../observability/subscription-count.js';
import { webhookMetrics } from '../observability/webhook-metrics.js';
import { createWebhookRouter } from '../webhooks/webhook.routes.js';
import { CredentialWatch } from '../people/credential-watch.js';
import { authenticateCaller, csrfRefused } from '../people/credentials.js';
import { CSRF_HEADER } from '../people/cookies.js';
import { createSessionRouter } from '../people/session.routes.js';
import { createSingleSignOnRouter } from '../people/oidc.routes.js';
import { defaultConsoleDir, mountConsole } from './console.js';
import { createBoundedServer, jsonErrors, routeNotFound } from './http-limits.js';
import { requestScope } from './request-scope.js';

/** Largest GraphQL request: HTTP body or WebSocket message. */
export const MAX_GRAPHQL_BYTES = 1024 * 1024;

export interface KipperOptions {
  /** A cluster to use instead of connecting to the configured one (tests); the caller closes it. */
  cluster?: Cluster;
  log?: Logger;
  /** The built console; default `console/dist` of the repository, null for none. */
  consoleDir?: string | null;
  /**
   * Where the one-time admin token of a first start is shown: to the person starting Kipper,
   * never into the log (main.ts writes it to the terminal as plain lines). Default: `log.info`.
   */
  announceToken?: (lines: string[]) => void;
}

export interface RunningAddress {
  url: string;
  port: number;
}

export interface Kipper {
  start(): Promise<RunningAddress>;
  stop(): Promise<void>;
  /** Available after start(): the services, for tests and embedding. */
  readonly services: KipperServices;
  /** This api's Prometheus metrics (also served at `/metrics`). */
  readonly metrics: ApiMetrics;
}

/** The composition root: database, cluster, queue, pub/sub, services, HTTP + WebSocket server. */
export function createKipper(config: KipperConfig, options: KipperOptions = {}): Kipper {
  const log = options.log ?? consoleLogger;
  // Services read config at call time: publicUrl is completed once the real port is known.
  const cfg: KipperConfig = { ...config };
  let services: KipperServices | undefined;
  let dataSource: DataSource | undefined;
  let webhookDataSource: DataSource | undefined;
  let ownCluster: Cluster | undefined;
  let queue: JobQueue | undefined;
  let pubsub: KipperPubSub | undefined;
  let httpServer: Server | undefined;
  let apollo: ApolloServer<KipperContext> | undefined;
  let stopping: Promise<void> | undefined;
  let credentialWatch: CredentialWatch | undefined;
  let opsRedis: Redis | undefined;
  const metrics = createApiMetrics(createKipperMetrics('api'));

  const report = (err: unknown) => log.error(`Internal error: ${describeError(err)}`);
  const format = (formatted: GraphQLFormattedError, error: unknown) => formatError(formatted, error, report);

  const stop = () => (stopping ??= stopInner());

  async function start(): Promise<RunningAddress> {
    try {
      return await startInner();
    } catch (err) {
      await stop().catch(() => undefined);
      throw err;
    }
  }

  async function startInner(): Promise<RunningAddress> {
    let cluster = options.cluster;
    if (!cluster) {
      const target = cfg.cluster;
      if (target.kind === 'simulator') throw new ConfigError('No Kubernetes cluster configured: set KUBECONFIG or KIPPER_KUBE_SERVER (startBuiltInClusterWhenNeeded starts the built-in simulator)');
      cluster = ownCluster = connectCluster(target);
    }
    // GraphQL reads are bounded by a statement timeout; CI's webhooks have a pool of their own, so
    // no GraphQL load can keep a delivery waiting for a connection.
    dataSource = await openDatabase(cfg.databaseUrl, { applicationName: 'kipper-api', statementTimeoutMs: cfg.graphqlStatementTimeoutMs });
    webhookDataSource = createDataSource(cfg.databaseUrl, { applicationName: 'kipper-api-webhook', poolSize: 5 });
    await webhookDataSource.initialize();
    metrics.base.observe(dataSource);
    metrics.base.observe(webhookDataSource);
    // Readiness pings and the shared rate limits: a request connection of their own, never
    // waiting behind the queue's commands, failing fast when Redis is gone.
    opsRedis = createRedis(cfg.redisUrl, 'request', `${cfg.queuePrefix}:api`);
    queue = createJobQueue(cfg.redisUrl, cfg.queuePrefix);
    pubsub = createPubSub(cfg.redisUrl, cfg.queuePrefix);
    services = createServices({ config: cfg, dataSource, cluster, queue, pubsub, log });
    const webhookServices = createServices({ config: cfg, dataSource: webhookDataSource, cluster, queue, pubsub, log });
    const live = services;

    const schema = await buildKipperSchema();
    const app = express();
    app.disable('x-powered-by');
    // Which proxies may set X-Forwarded-For (KIPPER_TRUST_PROXY): `req.ip`, and so the webhook's
    // per-address limits, is the first address not sent by one of them.
    app.set('trust proxy', cfg.trustProxy);
    httpServer = createBoundedServer(app, cfg.http);
    app.use(requestScope);
    app.use(opsRoutes({ dataSource, redis: opsRedis, cluster }, metrics.base.registry, cfg.metricsToken));

    // Webhook shim first: it reads its own raw body (GitHub signs the exact bytes).
    app.use(
      '/api/v1/webhook',
      webhookMetrics(metrics),
      createWebhookRouter(webhookServices, {
        perApp: cfg.webhookRateLimit,
        // Every api process takes from the same buckets: replicas share one limit per app.
        sharedLimits: { store: opsRedis, prefix: cfg.queuePrefix },
        log: (message) => log.error(message),
      }),
    );

    app.use('/api/v1/session', createSingleSignOnRouter(live, { config: () => cfg, log }));
    app.use('/api/v1/session', createSessionRouter(live, { secure: () => cfg.publicUrl.startsWith('https:'), log }));

    // 1 MiB per message, as for HTTP bodies (ws defaults to 100 MiB).
    const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: MAX_GRAPHQL_BYTES });
    const watch = (credentialWatch = new CredentialWatch(() => live, log));
    const documents = new DocumentCache(schema);
    const wsCleanup = useServer<Record<string, unknown>, { principal?: Principal; unwatch?: () => void }>(
      {
        schema,
        // The same depth and alias limits as HTTP (Apollo's validationRules below), and the same cost budget.
        validate: validateWithLimits,
        // Each event is executed once per distinct operation and the result sent to all its subscribers.
        subscribe: subscribeSharingEvents,
        // One parsed document per distinct text, shared by its subscriptions (documents.check);
        // a syntax error is answered, where graphql-ws would close the socket with 4500.
        onSubscribe: (_ctx, _id, payload) => {
          const checked = documents.check(payload.query);
          if ('errors' in checked) return [...checked.errors];
          const { document } = checked;
          const cost = costOrUndefined({ schema, document, variables: payload.variables, operationName: payload.operationName });
          if (cost !== undefined && cost > cfg.graphqlMaxCost) return [tooComplex(cost, cfg.graphqlMaxCost)];
          return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
        },
        onConnect: async (ctx) => {
          const params = ctx.connectionParams ?? {};
          const auth = await authenticateCaller(live, { authorization: params.authorization ?? params.Authorization, cookie: ctx.extra.request.headers.cookie, csrf: params.csrfToken });
          if ('refused' in auth) return false; // graphql-ws closes with 4403 Forbidden
          ctx.extra.principal = auth.principal;
          const socket = ctx.extra.socket;
          ctx.extra.unwatch = watch.add(auth.credential, (code, reason) => socket.close(code, reason));
          return true;
        },
        onClose: (ctx) => ctx.extra.unwatch?.(),
        context: (ctx) => createContext(live, ctx.extra.principal!),
        onOperation: (_ctx, _id, _payload, _args, result) =>
          Symbol.asyncIterator in result ? countedWhileOpen(result, metrics.subscriptionsOpen) : undefined,
        onNext: (_ctx, _id, _payload, _args, result) =>
          result.errors ? { ...result, errors: result.errors.map((e) => format(e.toJSON(), e)) } : undefined,
        onError: (_ctx, _id, _payload, errors) => errors.map((e) => format(e.toJSON(), e)),
      },
      wsServer,
    );

    apollo = new ApolloServer<KipperContext>({
      schema,
      introspection: true,
      validationRules: [...kipperValidationRules],
      // main.ts owns SIGTERM/SIGINT and stops everything in order.
      stopOnTerminationSignals: false,
      formatError: (formatted, error) => {
        const out = format(formatted, error);
        return out.extensions?.code === ErrorCode.UNAUTHENTICATED || out.extensions?.code === ErrorCode.FORBIDDEN ? { ...out, message: out.message.replace(/^Context creation failed: /, '') } : out;
      },
      plugins: [
        graphqlMetricsPlugin(metrics),
        operationBudgetPlugin(cfg.graphqlMaxCost),
        concurrencyLimitPlugin(cfg.graphqlConcurrency),
        ApolloServerPluginDrainHttpServer({ httpServer }),
        {
          async serverWillStart() {
            return {
              async drainServer() {
                await wsCleanup.dispose();
              },
            };
          },
        },
      ],
    });
    await apollo.start();
    app.use(
      '/graphql',
      express.json({ limit: MAX_GRAPHQL_BYTES }),
      expressMiddleware(apollo, {
        context: async ({ req }) => {
          const auth = await authenticateCaller(live, { authorization: req.headers.authorization, cookie: req.headers.cookie, csrf: req.headers[CSRF_HEADER] });
          if ('refused' in auth) throw auth.refused === 'csrf' ? csrfRefused() : unauthenticated();
          return createContext(live, auth.principal);
        },
      }),
    );
    app.use('/graphql', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
      if (res.headersSent) return next(err);
      const status = (err as { status?: number }).status ?? 400;
      res.status(status).json({ errors: [{ message: `The request body could not be read: ${(err as Error).message}`, extensions: { code: ErrorCode.VALIDATION_FAILED } }] });
    });
    mountConsole(app, options.consoleDir === undefined ? defaultConsoleDir() : options.consoleDir);
    app.use(routeNotFound);
    app.use(jsonErrors(log));

    const server = httpServer;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(cfg.port, cfg.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host}:${address.port}`;
    if (new URL(cfg.publicUrl).port === '0') cfg.publicUrl = url;

    const token = await live.auth.bootstrap();
    if (token) {
      const lines = [`Admin API token (shown once): ${token}`, `  kip login --server ${cfg.publicUrl} --token ${token}`];
      if (options.announceToken) options.announceToken(lines);
      else for (const line of lines) log.info(line);
    }
    return { url, port: address.port };
  }

  async function stopInner(): Promise<void> {
    credentialWatch?.stop();
    if (apollo) await apollo.stop().catch((err: unknown) => log.warn(`stopping GraphQL: ${describeError(err)}`));
    else if (httpServer?.listening) await new Promise<void>((resolve) => httpServer!.close(() => resolve()));
    await queue?.close().catch(() => undefined);
    await pubsub?.close().catch(() => undefined);
    if (opsRedis) await closeRedis(opsRedis);
    if (dataSource?.isInitialized) await dataSource.destroy();
    if (webhookDataSource?.isInitialized) await webhookDataSource.destroy();
    ownCluster?.close();
  }

  return {
    start,
    stop,
    metrics,
    get services() {
      if (!services) throw new Error('Kipper is not started');
      return services;
    },
  };
}
