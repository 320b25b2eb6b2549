import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildSchema as parseSdl, findBreakingChanges, type GraphQLEnumType, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printKipperSchema } from '../src/graphql/schema.js';
import { ErrorCode } from '@kipper/core';
import { printGraphqlEnv } from '../scripts/graphql-env.js';

const committedPath = new URL('../../schema/schema.graphql', import.meta.url);
const envPath = new URL('../../schema/graphql-env.d.ts', import.meta.url);
const baselinePath = new URL('../../schema/baseline.graphql', import.meta.url);

describe('schema/schema.graphql', () => {
  it('is what the type-graphql classes generate (run `npm run schema` after changing them)', async () => {
    const committed = await readFile(committedPath, 'utf8');
    const generated = await printKipperSchema();
    expect(committed, 'schema/schema.graphql is out of date: run `npm run schema` and commit it').toBe(generated);
  });

  it('carries every ErrorCode as a GraphQL enum', async () => {
    const schema = parseSdl(await printKipperSchema());
    const values = (schema.getType('ErrorCode') as GraphQLEnumType).getValues().map((v) => v.name);
    expect(values.sort()).toEqual(Object.keys(ErrorCode).sort());
  });

  it('keeps the root fields the CLI and the console code against', async () => {
    const schema = parseSdl(await printKipperSchema());
    const fields = (name: string) => Object.keys((schema.getType(name) as GraphQLObjectType).getFields()).sort();
    expect(fields('Query')).toEqual(['app', 'appEnv', 'apps', 'auditLog', 'build', 'me', 'notificationChannels', 'notificationDeliveries', 'pendingApprovals', 'project', 'projectMembers', 'projects', 'promotionPreview', 'tokens', 'users', 'webhookSecret']);
    expect(fields('Mutation')).toEqual(['addProjectMember', 'approveRevision', 'cancelRollout', 'changePassword', 'configureApp', 'configureEnvironment', 'connectFeedback', 'createNotificationChannel', 'createProject', 'createToken', 'createUser', 'deleteApp', 'deleteNotificationChannel', 'deleteProject', 'deployApp', 'disableUser', 'disableWebhook', 'disconnectFeedback', 'enableWebhook', 'promoteApp', 'rebuildApp', 'rejectRevision', 'removeProjectMember', 'revokeToken', 'rollbackApp', 'trustWebhookIssuer', 'unpinApp', 'untrustWebhookIssuer', 'updateAppEnv', 'updateAppSettings', 'updateImage']);
    expect(fields('Subscription')).toEqual(['appEvents', 'buildLog', 'podLogs', 'projectEvents']);
  });

  it('breaks nothing in the baseline contract (schema/baseline.graphql) unless the baseline was moved on purpose', async () => {
    const baseline = parseSdl(await readFile(baselinePath, 'utf8'));
    const breaks = findBreakingChanges(baseline, parseSdl(await printKipperSchema())).map((change) => `${change.type}: ${change.description}`);
    expect(breaks, 'breaking changes against schema/baseline.graphql: keep the old field/argument/value, or run `npm run schema:baseline` to accept the break deliberately').toEqual([]);
  });
});

describe('schema/graphql-env.d.ts', () => {
  it('is the gql.tada introspection of schema/schema.graphql (run `npm run schema` when this fails)', async () => {
    const committed = await readFile(envPath, 'utf8').catch(() => '');
    const generated = await printGraphqlEnv(fileURLToPath(committedPath));
    // toBe(true): a diff of the one-line-per-type file would be unreadable.
    expect(committed === generated, 'schema/graphql-env.d.ts is stale: run `npm run schema` and commit it').toBe(true);
  });
});
