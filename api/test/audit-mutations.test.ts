import { readFileSync } from 'node:fs';
import { buildSchema, type GraphQLObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { createSecret } from '../../test/support/feedback.js';
import { RevisionTrigger } from '@kipper/core';
import { createProject, deployApp, markLive, ok, updateImage } from './helpers.js';

/**
 * Every mutation of the schema leaves an audit entry with its actor. The list of mutations comes
 * from schema/schema.graphql, so a new mutation without a line in INVOCATIONS fails this test:
 * add one line (the operation and its variables against the apps prepared below).
 */
const API = { project: 'walk', environment: 'test', name: 'api' };
const SITE = { project: 'walk', environment: 'test', name: 'site' };

interface Invocation {
  query: string;
  variables?: () => Record<string, unknown>;
  /** What must be true first (a live revision to roll back from …), done through the services. */
  before?: () => Promise<void>;
}

let k: RunningKipper;
let channelId = '';
let apiId = '';

/** One line per mutation, run in this order (later ones build on earlier ones). */
const INVOCATIONS: Record<string, Invocation> = {
  createProject: { query: 'mutation { createProject(input: { name: "walk-new" }) { id } }' },
  deployApp: { query: 'mutation { deployApp(input: { project: "walk", environment: "test", name: "fresh", image: "registry.example.com/fresh:v1", port: 8080 }) { id } }' },
  updateImage: { query: 'mutation($app: AppRef!) { updateImage(app: $app, image: "registry.example.com/api:v3") { number } }', variables: () => ({ app: API }), before: () => markLive(k, apiId, 2) },
  configureApp: { query: 'mutation($app: AppRef!) { configureApp(app: $app, input: { autoRollback: false }) { name } }', variables: () => ({ app: API }) },
  updateAppSettings: { query: 'mutation($app: AppRef!) { updateAppSettings(app: $app, input: { replicas: 2 }) { app { replicas } } }', variables: () => ({ app: API }) },
  updateAppEnv: { query: 'mutation($app: AppRef!) { updateAppEnv(app: $app, input: { set: [{ name: "LOG_LEVEL", value: "debug" }] }) { revision { number } } }', variables: () => ({ app: API }) },
  rollbackApp: { query: 'mutation($app: AppRef!) { rollbackApp(app: $app) { number } }', variables: () => ({ app: API }), before: () => markLive(k, apiId, 3) },
  unpinApp: { query: 'mutation($app: AppRef!) { unpinApp(app: $app) { deployed { number } } }', variables: () => ({ app: API }) },
  cancelRollout: { query: 'mutation($app: AppRef!) { cancelRollout(app: $app) { cancelled { number } } }', variables: () => ({ app: API }) },
  promoteApp: { query: 'mutation($app: AppRef!) { promoteApp(app: $app) { number } }', variables: () => ({ app: API }) },
  rebuildApp: { query: 'mutation($app: AppRef!) { rebuildApp(app: $app, commit: "0123456789abcdef0123456789abcdef01234567") { number } }', variables: () => ({ app: SITE }) },
  enableWebhook: { query: 'mutation($app: AppRef!) { enableWebhook(app: $app) { url } }', variables: () => ({ app: API }) },
  disableWebhook: { query: 'mutation($app: AppRef!) { disableWebhook(app: $app) { enabled } }', variables: () => ({ app: API }) },
  trustWebhookIssuer: {
    query: 'mutation($app: AppRef!) { trustWebhookIssuer(app: $app, issuer: "https://93.184.216.34", subject: "repo:acme/api:ref:refs/heads/main") { id } }',
    variables: () => ({ app: API }),
  },
  untrustWebhookIssuer: {
    query: 'mutation($app: AppRef!) { untrustWebhookIssuer(app: $app, issuer: "https://93.184.216.34", subject: "repo:acme/api:ref:refs/heads/main") { id } }',
    variables: () => ({ app: API }),
  },
  connectFeedback: {
    query: 'mutation($app: AppRef!) { connectFeedback(app: $app, input: { provider: GITHUB, repository: "acme/api", tokenSecret: { name: "gh" } }) { id } }',
    variables: () => ({ app: API }),
  },
  disconnectFeedback: { query: 'mutation($app: AppRef!) { disconnectFeedback(app: $app, provider: GITHUB) { id } }', variables: () => ({ app: API }) },
  createNotificationChannel: {
    query: 'mutation { createNotificationChannel(input: { project: "walk", kind: WEBHOOK, url: "https://93.184.216.34/hooks/kipper" }) { channel { id } } }',
  },
  deleteNotificationChannel: { query: 'mutation($id: ID!) { deleteNotificationChannel(id: $id) { id } }', variables: () => ({ id: channelId }) },
  deleteApp: { query: 'mutation { deleteApp(app: { project: "walk", environment: "test", name: "fresh" }) }' },
  createUser: { query: 'mutation { createUser(input: { name: "walker", password: "correct horse battery staple 42" }) { name } }' },
  addProjectMember: { query: 'mutation { addProjectMember(project: "walk", user: "walker", role: DEPLOYER) { role } }' },
  removeProjectMember: { query: 'mutation { removeProjectMember(project: "walk", user: "walker") { role } }' },
  changePassword: { query: 'mutation { changePassword(name: "walker", newPassword: "another horse battery staple 43") }' },
  createToken: { query: 'mutation { createToken(input: { name: "walk-ci", project: "walk", role: DEPLOYER }) { token { id } } }' },
  revokeToken: { query: 'mutation { revokeToken(name: "walk-ci") { id } }' },
  disableUser: { query: 'mutation { disableUser(name: "walker") { name } }' },
  deleteProject: { query: 'mutation { deleteProject(name: "walk-new") }' },
  configureEnvironment: { query: 'mutation { configureEnvironment(project: "walk", environment: "prod", input: { approvals: 1 }) { requiredApprovals } }' },
  approveRevision: {
    query: 'mutation($app: AppRef!, $n: Int!) { approveRevision(app: $app, revision: $n, comment: "ok") { approved } }',
    variables: () => ({ app: GATE, n: gateRevision }),
    before: () => awaitApproval(),
  },
  rejectRevision: {
    query: 'mutation($app: AppRef!, $n: Int!) { rejectRevision(app: $app, revision: $n, comment: "not now") { approved } }',
    variables: () => ({ app: GATE, n: gateRevision }),
    before: () => awaitApproval(),
  },
};

const GATE = { project: 'walk', environment: 'prod', name: 'gate' };
let gateRevision = 0;

/** A revision of `gate` in prod (configured with approvals above) requested by someone other than admin. */
async function awaitApproval(): Promise<void> {
  const services = k.kipper.services;
  const app = await services.apps.resolve({ ...GATE }, { visible: 'all' });
  const revision = await services.revisions.deployImage(app, { image: `registry.example.com/gate:v${gateRevision + 10}`, trigger: RevisionTrigger.MANUAL, triggeredBy: 'sam' });
  expect(revision.status).toBe('awaiting_approval');
  gateRevision = revision.number;
}

function schemaMutations(): string[] {
  const sdl = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
  const mutation = buildSchema(sdl).getMutationType() as GraphQLObjectType | null | undefined;
  return Object.keys(mutation?.getFields() ?? {}).sort();
}

interface Entry {
  id: string;
  actor: string;
  actorKind: string;
  action: string;
  target: string;
  sourceAddress: string | null;
  requestId: string | null;
  project: { name: string } | null;
}

async function newest(first = 20): Promise<Entry[]> {
  return ok(
    await k.graphql<{ auditLog: { entries: Entry[] } }>(
      `query($first: Int) { auditLog(first: $first) { entries { id actor actorKind action target sourceAddress requestId project { name } } } }`,
      { first },
    ),
  ).auditLog.entries;
}

beforeAll(async () => {
  k = await startKipper();
  await createProject(k, 'walk');
  apiId = (await deployApp(k, { ...API, image: 'registry.example.com/api:v1' })).id;
  await markLive(k, apiId, 1);
  await updateImage(k, API, 'registry.example.com/api:v2');
  const prodApi = await deployApp(k, { project: 'walk', environment: 'acc', name: 'api', image: 'registry.example.com/api:v1' });
  await markLive(k, prodApi.id, 1);
  await deployApp(k, { ...SITE, gitUrl: 'https://git.example.com/site.git' });
  await deployApp(k, { ...GATE, image: 'registry.example.com/gate:v1' });
  await createSecret(k.sim.url, 'walk-test', 'gh', { token: 'not-a-real-token' });
});
afterAll(async () => {
  await k?.stop();
});

describe('every mutation leaves an audit entry', () => {
  it('has an invocation for every mutation of the schema', () => {
    expect(Object.keys(INVOCATIONS).sort()).toEqual(schemaMutations());
  });

  it('each invocation records entries by its caller, with the request it came in', async () => {
    const missing: string[] = [];
    for (const [name, invocation] of Object.entries(INVOCATIONS)) {
      await invocation.before?.();
      const seen = new Set((await newest(100)).map((e) => e.id));
      const result = ok(await k.graphql<Record<string, { channel?: { id: string } }>>(invocation.query, invocation.variables?.() ?? {}));
      if (name === 'createNotificationChannel') channelId = result.createNotificationChannel!.channel!.id;
      const added = (await newest(100)).filter((e) => !seen.has(e.id));
      const mine = added.filter((e) => e.actor === 'admin');
      if (mine.length === 0) {
        missing.push(name);
        continue;
      }
      for (const entry of mine) {
        expect(entry, `${name}: ${entry.action}`).toMatchObject({ actorKind: 'PERSON', sourceAddress: expect.stringMatching(/127\.0\.0\.1/), requestId: expect.any(String) });
      }
    }
    expect(missing, 'mutations that recorded no audit entry by their caller').toEqual([]);
  });

  it('entries about an app carry its project, entries of a deleted app keep their target', async () => {
    const entries = await newest(200);
    const deleted = entries.find((e) => e.action === 'app.delete');
    expect(deleted).toMatchObject({ target: 'walk-test/fresh', project: { name: 'walk' } });
    const configure = entries.find((e) => e.action === 'app.configure');
    expect(configure).toMatchObject({ target: 'walk-test/api', project: { name: 'walk' } });
  });
});
