import { ErrorCode, KipperError } from '@kipper/core';
import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import type { KipperContext } from '../graphql/context.js';

/**
 * What each root field of the schema needs. Project roles (`viewer`, `deployer`, `admin`) are
 * checked by the resolver against the project the arguments name (access.guard.ts), because only
 * it knows which project that is; `instance-admin` is checked here before the resolver runs;
 * `signed-in` fields act on the caller's own things or list only what the caller can see.
 * A root field missing from this table is refused (FORBIDDEN) before its resolver runs, and a
 * test fails when the schema has a field the table does not list.
 */
export type AccessRule = 'viewer' | 'deployer' | 'admin' | 'instance-admin' | 'signed-in';

export const ACCESS: Readonly<Record<string, AccessRule>> = {
  // Reads: the caller's projects only; others are NOT_FOUND (or absent from lists).
  'Query.projects': 'signed-in',
  'Query.project': 'viewer',
  'Query.apps': 'viewer',
  'Query.app': 'viewer',
  'Query.build': 'viewer',
  'Query.notificationChannels': 'viewer',
  'Query.notificationDeliveries': 'viewer',
  // Reveals the webhook token: more than reading.
  'Query.webhookSecret': 'deployer',
  // Secret values need deployer with reveal: true (checked by the resolver).
  'Query.appEnv': 'viewer',
  // Entries of the caller's projects; entries about no project (people, tokens) for instance admins.
  'Query.auditLog': 'signed-in',
  'Subscription.appEvents': 'viewer',
  'Subscription.projectEvents': 'viewer',
  'Subscription.buildLog': 'viewer',
  // Pods and events are fields of App (viewers read them); logs can hold secrets.
  'Subscription.podLogs': 'deployer',

  // Deploying in the project's environments.
  'Mutation.deployApp': 'deployer',
  'Mutation.updateImage': 'deployer',
  'Mutation.rollbackApp': 'deployer',
  'Mutation.cancelRollout': 'deployer',
  'Mutation.unpinApp': 'deployer',
  'Mutation.promoteApp': 'deployer',
  'Mutation.rebuildApp': 'deployer',
  // Port, replicas, host and env; deploy and drift policies and auto rollback need admin (checked by the resolver).
  'Mutation.updateAppSettings': 'deployer',
  'Mutation.updateAppEnv': 'deployer',
  // Approvals: the resolver checks the environment's approvers (a viewer named user:NAME may decide).
  'Query.pendingApprovals': 'signed-in',
  'Query.promotionPreview': 'viewer',
  'Mutation.approveRevision': 'viewer',
  'Mutation.rejectRevision': 'viewer',
  'Mutation.enableWebhook': 'deployer',
  'Mutation.disableWebhook': 'deployer',
  // Keyless CI: like a webhook token, a way for CI to deploy.
  'Mutation.trustWebhookIssuer': 'deployer',
  'Mutation.untrustWebhookIssuer': 'deployer',

  // The project's settings, members and deletions.
  'Mutation.configureApp': 'admin',
  'Mutation.configureEnvironment': 'admin',
  'Mutation.deleteApp': 'admin',
  'Mutation.deleteProject': 'admin',
  'Mutation.connectFeedback': 'admin',
  'Mutation.disconnectFeedback': 'admin',
  'Mutation.createNotificationChannel': 'admin',
  'Mutation.deleteNotificationChannel': 'admin',
  'Query.projectMembers': 'viewer',
  'Mutation.addProjectMember': 'admin',
  'Mutation.removeProjectMember': 'admin',

  // The instance: people and projects.
  'Mutation.createProject': 'instance-admin',
  'Query.users': 'instance-admin',
  'Mutation.createUser': 'instance-admin',
  'Mutation.disableUser': 'instance-admin',

  // The caller's own: who they are, their password (admins may reset others'), their tokens.
  'Query.me': 'signed-in',
  'Mutation.changePassword': 'signed-in',
  'Query.tokens': 'signed-in',
  'Mutation.createToken': 'signed-in',
  'Mutation.revokeToken': 'signed-in',
};

/**
 * Wraps every root field's resolver (and subscribe) of the built schema: a field missing from
 * ACCESS is refused before anything runs; instance-admin fields are checked here. Only root
 * fields are wrapped, so nested fields cost nothing extra.
 */
export function guardRootFields(schema: GraphQLSchema): GraphQLSchema {
  for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (!type) continue;
    for (const field of Object.values(type.getFields())) {
      const key = `${type.name}.${field.name}`;
      const check = (context: KipperContext) => {
        const rule = ACCESS[key];
        if (!rule) throw new KipperError(ErrorCode.FORBIDDEN, `${key} is not in Kipper's access table: refused`);
        if (rule === 'instance-admin') context.services.access.requireInstanceAdmin(context.principal, `${field.name}`);
      };
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context: KipperContext, info) => {
        // Subscription events are checked once, at subscribe time.
        if (type.name !== 'Subscription') check(context);
        return resolve(source, args, context, info);
      };
      const subscribe = field.subscribe;
      if (subscribe) {
        field.subscribe = (source, args, context: KipperContext, info) => {
          check(context);
          return subscribe(source, args, context, info);
        };
      }
    }
  }
  return schema;
}
