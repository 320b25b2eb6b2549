import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLObjectType } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ACCESS } from '../src/access/access.table.js';
import { buildKipperSchema } from '../src/graphql/schema.js';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { codeOf, createProject, deployApp, markLive, ok, updateImage } from './helpers.js';
import { createPerson, graphqlAs, signIn, tokenOf, type SignedIn } from './people.helpers.js';

/**
 * Roles per project, through the real api: a viewer, a deployer, a stranger, and tokens scoped
 * to a project and an environment. No worker: revisions are made live by the test.
 */
let k: RunningKipper;
const webA = { project: 'alpha', environment: 'test', name: 'web' };
const webAProd = { project: 'alpha', environment: 'prod', name: 'web' };
const webB = { project: 'beta', environment: 'test', name: 'web' };
let viewer: SignedIn;
let deployer: SignedIn;
let stranger: SignedIn;
let channelA = '';
let buildless = '';

beforeAll(async () => {
  k = await startKipper();
  await createProject(k, 'alpha', ['test', 'prod']);
  await createProject(k, 'beta', ['test']);
  const a = await deployApp(k, { ...webA, image: 'registry.example.com/web:v1' });
  await markLive(k, a.id, 1);
  await updateImage(k, webA, 'registry.example.com/web:v2');
  await markLive(k, a.id, 2);
  await deployApp(k, { ...webAProd, image: 'registry.example.com/web:v1' });
  await deployApp(k, { ...webB, image: 'registry.example.com/web:v1' });
  ok(await k.graphql('mutation($app: AppRef!) { enableWebhook(app: $app) { token } }', { app: webA }));
  channelA = ok(await k.graphql<{ createNotificationChannel: { channel: { id: string } } }>('mutation($input: CreateNotificationChannelInput!) { createNotificationChannel(input: $input) { channel { id } } }', { input: { project: 'alpha', url: 'https://hooks.example.com/kipper', kind: 'SLACK' } })).createNotificationChannel.channel.id;
  buildless = a.id;
  await createPerson(k, 'vera', { project: 'alpha', role: 'VIEWER' });
  await createPerson(k, 'dan', { project: 'alpha', role: 'DEPLOYER' });
  await createPerson(k, 'sam');
  viewer = await signIn(k, 'vera');
  deployer = await signIn(k, 'dan');
  stranger = await signIn(k, 'sam');
});
afterAll(async () => {
  await k?.stop();
});

const HISTORY = 'query($ref: AppRef!) { app(ref: $ref) { name revisions { nodes { number image } } } }';
const ROLLBACK = 'mutation($app: AppRef!) { rollbackApp(app: $app) { number rollbackTo } }';
const SECRET = 'query($app: AppRef!) { webhookSecret(app: $app) { token } }';
const UPDATE = 'mutation($app: AppRef!, $image: String!) { updateImage(app: $app, image: $image) { number triggeredBy } }';

describe('a viewer of project alpha', () => {
  it('reads alpha\'s history and sees only alpha in lists', async () => {
    const { body } = await graphqlAs<{ app: { revisions: { nodes: { number: number }[] } } }>(k, viewer, HISTORY, { ref: webA });
    expect(ok(body).app.revisions.nodes.map((n) => n.number)).toEqual([2, 1]);
    const projects = await graphqlAs<{ projects: { name: string }[] }>(k, viewer, '{ projects { name } }');
    expect(ok(projects.body).projects.map((p) => p.name)).toEqual(['alpha']);
    const apps = await graphqlAs<{ apps: { namespace: string }[] }>(k, viewer, '{ apps(name: "web") { namespace } }');
    expect(ok(apps.body).apps.map((a) => a.namespace)).toEqual(['alpha-prod', 'alpha-test']);
  });

  it('cannot roll back (FORBIDDEN naming the role) and nothing changes', async () => {
    const { body } = await graphqlAs(k, viewer, ROLLBACK, { app: webA });
    expect(codeOf(body)).toBe('FORBIDDEN');
    expect(body.errors![0]!.message).toMatch(/deployer/);
    const after = await graphqlAs<{ app: { revisions: { nodes: unknown[] } } }>(k, viewer, HISTORY, { ref: webA });
    expect(ok(after.body).app.revisions.nodes).toHaveLength(2);
  });

  it('cannot see the webhook secret', async () => {
    const { body } = await graphqlAs(k, viewer, SECRET, { app: webA });
    expect(codeOf(body)).toBe('FORBIDDEN');
    expect(JSON.stringify(body)).not.toMatch(/[0-9a-f]{64}/);
  });

  it('gets NOT_FOUND for project beta, worded as for a project that does not exist', async () => {
    const beta = await graphqlAs(k, viewer, 'query($ref: AppRef!) { app(ref: $ref) { name } }', { ref: webB });
    const nowhere = await graphqlAs(k, viewer, 'query($ref: AppRef!) { app(ref: $ref) { name } }', { ref: { ...webB, project: 'gamma' } });
    expect(codeOf(beta.body)).toBe('PROJECT_NOT_FOUND');
    expect(beta.body.errors![0]!.message).toBe('Project beta does not exist');
    expect(nowhere.body.errors![0]!.message).toBe('Project gamma does not exist');
    expect(ok((await graphqlAs(k, viewer, '{ project(name: "beta") { name } }')).body)).toEqual({ project: null });
    const byNamespace = await graphqlAs(k, viewer, ROLLBACK, { app: { namespace: 'beta-test', name: 'web' } });
    expect(codeOf(byNamespace.body)).toBe('APP_NOT_FOUND');
    expect(codeOf((await graphqlAs(k, viewer, 'subscription { projectEvents(project: "beta") { type } }')).body)).toBeDefined();
  });
});

describe('a deployer of project alpha', () => {
  it('deploys and rolls back in alpha', async () => {
    const { body } = await graphqlAs<{ updateImage: { number: number; triggeredBy: string } }>(k, deployer, UPDATE, { app: webA, image: 'registry.example.com/web:v3' });
    expect(ok(body).updateImage).toEqual({ number: 3, triggeredBy: 'dan' });
    const back = await graphqlAs<{ rollbackApp: { rollbackTo: number } }>(k, deployer, ROLLBACK, { app: webA });
    expect(ok(back.body).rollbackApp.rollbackTo).toBe(1);
    ok((await graphqlAs(k, deployer, 'mutation($app: AppRef!) { unpinApp(app: $app) { app { name } } }', { app: webA })).body);
  });

  it('cannot create projects, manage members or delete apps', async () => {
    expect(codeOf((await graphqlAs(k, deployer, 'mutation { createProject(input: { name: "delta" }) { name } }')).body)).toBe('FORBIDDEN');
    expect(codeOf((await graphqlAs(k, deployer, 'mutation { addProjectMember(project: "alpha", user: "sam", role: ADMIN) { role } }')).body)).toBe('FORBIDDEN');
    expect(codeOf((await graphqlAs(k, deployer, 'mutation($app: AppRef!) { deleteApp(app: $app) }', { app: webA })).body)).toBe('FORBIDDEN');
    expect(codeOf((await graphqlAs(k, deployer, 'mutation { deleteProject(name: "alpha") }')).body)).toBe('FORBIDDEN');
    // Scaling is a deployer's; the policies that decide what Kipper does on its own are the admins'.
    expect(codeOf((await graphqlAs(k, deployer, 'mutation($app: AppRef!) { updateAppSettings(app: $app, input: { autoRollback: false }) { app { name } } }', { app: webA })).body)).toBe('FORBIDDEN');
    expect(ok(await k.graphql('{ projects { name } }'))).toEqual({ projects: [{ name: 'alpha' }, { name: 'beta' }] });
  });

  it('cannot act in beta (NOT_FOUND)', async () => {
    expect(codeOf((await graphqlAs(k, deployer, UPDATE, { app: webB, image: 'registry.example.com/web:v9' })).body)).toBe('PROJECT_NOT_FOUND');
  });
});

describe('a token scoped to alpha/test', () => {
  let token = '';
  beforeAll(async () => {
    token = await tokenOf(k, deployer, { name: 'ci alpha test', project: 'alpha', environment: 'test', role: 'DEPLOYER' });
    expect(token).toMatch(/^kip_[A-Za-z0-9_-]{43}$/);
  });

  it('deploys there, as token:NAME', async () => {
    const res = await k.graphql<{ updateImage: { triggeredBy: string } }>(UPDATE, { app: webA, image: 'registry.example.com/web:v4' }, { token });
    expect(ok(res).updateImage.triggeredBy).toBe('token:ci alpha test');
  });

  it('does not deploy in alpha/prod (FORBIDDEN) nor see beta (NOT_FOUND), nor create tokens', async () => {
    expect(codeOf(await k.graphql(UPDATE, { app: webAProd, image: 'registry.example.com/web:v4' }, { token }))).toBe('FORBIDDEN');
    expect(codeOf(await k.graphql(UPDATE, { app: webB, image: 'registry.example.com/web:v4' }, { token }))).toBe('PROJECT_NOT_FOUND');
    expect(ok(await k.graphql<{ projects: { name: string }[] }>('{ projects { name } }', {}, { token })).projects).toEqual([{ name: 'alpha' }]);
    expect(codeOf(await k.graphql('mutation { createToken(input: { name: "more" }) { value } }', {}, { token }))).toBe('FORBIDDEN');
  });

  it('never acts above its owner: a viewer cannot mint a deployer token', async () => {
    const { body } = await graphqlAs(k, viewer, 'mutation { createToken(input: { name: "x", project: "alpha", role: DEPLOYER }) { value } }');
    expect(codeOf(body)).toBe('FORBIDDEN');
  });

  it('is refused at once once revoked, and its open subscription is closed with 4403', async () => {
    const closed = new Promise<number>((resolve) => {
      const client = createClient({ url: k.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, connectionParams: { authorization: `Bearer ${token}` }, on: { closed: (e) => resolve((e as { code: number }).code) }, onNonLazyError: () => undefined });
      client.subscribe({ query: 'subscription { projectEvents(project: "alpha") { type } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    });
    await new Promise((r) => setTimeout(r, 300));
    ok((await graphqlAs(k, deployer, 'mutation { revokeToken(name: "ci alpha test") { revokedAt } }')).body);
    const refused = await k.graphql('{ projects { name } }', {}, { token });
    expect(codeOf(refused)).toBe('UNAUTHENTICATED');
    const started = Date.now();
    expect(await closed).toBe(4403);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('the access table', () => {
  it('lists every root field of the schema, and nothing else', async () => {
    const schema = await buildKipperSchema();
    const roots = ['Query', 'Mutation', 'Subscription'].flatMap((type) => Object.keys((schema.getType(type) as GraphQLObjectType).getFields()).map((f) => `${type}.${f}`));
    expect(roots.sort()).toEqual(Object.keys(ACCESS).sort());
  });

  // Every project-level field, called by a signed-in person who is not a member, on alpha's things.
  const STRANGER: Record<string, [string, Record<string, unknown>]> = {
    'Query.project': ['{ project(name: "alpha") { name } }', {}],
    'Query.apps': ['{ apps(project: "alpha") { name } }', {}],
    'Query.app': ['query($a: AppRef!) { app(ref: $a) { name } }', { a: { namespace: 'alpha-test', name: 'web' } }],
    'Query.build': ['query($id: ID!) { build(id: $id) { id } }', { id: '00000000-0000-4000-8000-000000000000' }],
    'Query.notificationChannels': ['{ notificationChannels(project: "alpha") { id } }', {}],
    'Query.notificationDeliveries': ['query($c: ID!) { notificationDeliveries(channel: $c) { id } }', {}],
    'Query.webhookSecret': [SECRET, { app: webA }],
    'Query.projectMembers': ['{ projectMembers(project: "alpha") { user } }', {}],
    'Mutation.deployApp': ['mutation { deployApp(input: { project: "alpha", environment: "test", name: "new", image: "registry.example.com/x:1", port: 80 }) { name } }', {}],
    'Mutation.updateImage': [UPDATE, { app: webA, image: 'registry.example.com/web:v9' }],
    'Mutation.rollbackApp': [ROLLBACK, { app: webA }],
    'Mutation.cancelRollout': ['mutation($app: AppRef!) { cancelRollout(app: $app) { cancelled { number } } }', { app: webA }],
    'Mutation.unpinApp': ['mutation($app: AppRef!) { unpinApp(app: $app) { app { name } } }', { app: webA }],
    'Mutation.promoteApp': ['mutation($app: AppRef!) { promoteApp(app: $app) { number } }', { app: webA }],
    'Mutation.rebuildApp': ['mutation($app: AppRef!) { rebuildApp(app: $app) { number } }', { app: webA }],
    'Mutation.enableWebhook': ['mutation($app: AppRef!) { enableWebhook(app: $app) { token } }', { app: webA }],
    'Mutation.disableWebhook': ['mutation($app: AppRef!) { disableWebhook(app: $app) { enabled } }', { app: webA }],
    'Mutation.trustWebhookIssuer': ['mutation($app: AppRef!) { trustWebhookIssuer(app: $app, issuer: "https://93.184.216.34", subject: "repo:acme/web:ref:refs/heads/main") { id } }', { app: webA }],
    'Mutation.untrustWebhookIssuer': ['mutation($app: AppRef!) { untrustWebhookIssuer(app: $app, issuer: "https://93.184.216.34", subject: "repo:acme/web:ref:refs/heads/main") { id } }', { app: webA }],
    'Query.promotionPreview': ['query($app: AppRef!) { promotionPreview(app: $app) { to } }', { app: webA }],
    'Mutation.approveRevision': ['mutation($app: AppRef!) { approveRevision(app: $app, revision: 1) { approved } }', { app: webA }],
    'Mutation.rejectRevision': ['mutation($app: AppRef!) { rejectRevision(app: $app, revision: 1) { approved } }', { app: webA }],
    'Mutation.configureEnvironment': ['mutation { configureEnvironment(project: "alpha", environment: "test", input: { approvals: 2 }) { name } }', {}],
    'Mutation.configureApp': ['mutation($app: AppRef!) { configureApp(app: $app, input: { autoRollback: false }) { name } }', { app: webA }],
    'Mutation.deleteApp': ['mutation($app: AppRef!) { deleteApp(app: $app) }', { app: webA }],
    'Mutation.deleteProject': ['mutation { deleteProject(name: "alpha") }', {}],
    'Mutation.updateAppSettings': ['mutation($app: AppRef!) { updateAppSettings(app: $app, input: { replicas: 3 }) { app { name } } }', { app: webA }],
    'Mutation.updateAppEnv': ['mutation($app: AppRef!) { updateAppEnv(app: $app, input: { set: [{ name: "A", value: "b" }] }) { app { name } } }', { app: webA }],
    'Query.appEnv': ['query($app: AppRef!) { appEnv(app: $app, reveal: true) { name } }', { app: webA }],
    'Mutation.connectFeedback': ['mutation($app: AppRef!) { connectFeedback(app: $app, input: { provider: GITHUB, repository: "acme/web", tokenSecret: { name: "gh" } }) { id } }', { app: webA }],
    'Mutation.disconnectFeedback': ['mutation($app: AppRef!) { disconnectFeedback(app: $app, provider: GITHUB) { id } }', { app: webA }],
    'Mutation.createNotificationChannel': ['mutation { createNotificationChannel(input: { project: "alpha", url: "https://hooks.example.com/x" }) { channel { id } } }', {}],
    'Mutation.deleteNotificationChannel': ['mutation($c: ID!) { deleteNotificationChannel(id: $c) { id } }', {}],
    'Mutation.addProjectMember': ['mutation { addProjectMember(project: "alpha", user: "sam", role: ADMIN) { role } }', {}],
    'Mutation.removeProjectMember': ['mutation { removeProjectMember(project: "alpha", user: "vera") { role } }', {}],
    'Subscription.appEvents': ['subscription($app: AppRef!) { appEvents(app: $app) { type } }', { app: webA }],
    'Subscription.projectEvents': ['subscription { projectEvents(project: "alpha") { type } }', {}],
    'Subscription.buildLog': ['subscription($id: ID!) { buildLog(buildId: $id) { line } }', { id: '00000000-0000-4000-8000-000000000000' }],
    'Subscription.podLogs': ['subscription($app: AppRef!) { podLogs(app: $app) { line } }', { app: webA }],
  };

  it('has a stranger\'s call for every project-level field, and each finds nothing of alpha', async () => {
    const projectLevel = Object.entries(ACCESS).filter(([, rule]) => rule === 'viewer' || rule === 'deployer' || rule === 'admin').map(([field]) => field);
    expect(Object.keys(STRANGER).sort()).toEqual(projectLevel.sort());
    for (const [field, [query, variables]] of Object.entries(STRANGER)) {
      const vars = { ...variables, ...(query.includes('$c') ? { c: channelA } : {}) };
      if (field.startsWith('Subscription.')) continue; // over HTTP every subscription is refused anyway; checked below
      const { body } = await graphqlAs<Record<string, unknown>>(k, stranger, query, vars);
      if (body.errors) expect(['PROJECT_NOT_FOUND', 'APP_NOT_FOUND', 'NOTIFICATION_CHANNEL_NOT_FOUND'], `${field}: ${JSON.stringify(body.errors)}`).toContain(body.errors[0]!.extensions?.code);
      else expect(Object.values(body.data ?? {})[0], field).toBeNull();
    }
    void buildless;
  });

  it('keeps alpha\'s audit entries from a stranger: NOT_FOUND when named, absent from the whole log', async () => {
    const named = await graphqlAs<Record<string, unknown>>(k, stranger, '{ auditLog(project: "alpha") { entries { id } } }', {});
    expect(named.body.errors?.[0]?.extensions?.code).toBe('PROJECT_NOT_FOUND');
    const all = await graphqlAs<{ auditLog: { entries: { target: string; project: { name: string } | null }[] } }>(k, stranger, '{ auditLog(first: 500) { entries { target project { name } } } }', {});
    expect(all.body.errors).toBeUndefined();
    expect(all.body.data!.auditLog.entries.filter((e) => e.project?.name === 'alpha' || e.target.startsWith('alpha'))).toEqual([]);
  });

  it('refuses a stranger\'s subscriptions at subscribe time', async () => {
    for (const [field, [query, variables]] of Object.entries(STRANGER).filter(([f]) => f.startsWith('Subscription.'))) {
      const error = await new Promise<unknown>((resolve) => {
        // A browser sends the session cookie with the upgrade request; so does this socket.
        const cookie = stranger.cookie;
        class CookieSocket extends WebSocket {
          constructor(url: string, protocols?: string | string[]) {
            super(url, protocols, { headers: { cookie } });
          }
        }
        const client = createClient({ url: k.wsUrl, webSocketImpl: CookieSocket, retryAttempts: 0, connectionParams: { csrfToken: stranger.csrfToken } });
        client.subscribe({ query, variables }, { next: (result) => resolve(result), error: (e) => resolve(e), complete: () => resolve('complete') });
        setTimeout(() => resolve('timeout'), 3000);
      });
      expect(JSON.stringify(error), field).toMatch(/NOT_FOUND/);
    }
  });
});
