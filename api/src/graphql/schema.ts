import 'reflect-metadata';
import './enums.js';
import { GraphQLEnumType, GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AppResolver } from '../apps/app.resolver.js';
import { BuildResolver } from '../builds/build.resolver.js';
import { EventResolver } from '../events/event.resolver.js';
import { EnvironmentResolver, ProjectResolver } from '../projects/project.resolver.js';
import { RevisionResolver, RolloutProgressResolver } from '../revisions/revision.resolver.js';
import { AppStateResolver } from '../apps/app-state.resolver.js';
import { AppSettingsResolver, RevisionSettingsResolver } from '../apps/app-settings.resolver.js';
import { ErrorCode } from '@kipper/core';
import { guardRootFields } from '../access/access.table.js';
import { PeopleResolver } from '../people/people.resolver.js';
import { TokenResolver } from '../people/token.resolver.js';
import { NotificationDeliveryResolver, NotificationResolver } from '../notifications/notification.resolver.js';
import { AppWebhookResolver, WebhookDeliveryResolver, WebhookResolver } from './webhook.resolver.js';
import { WebhookTrustResolver, WebhookTrustsResolver } from './webhook-trust.resolver.js';
import { AppFeedbackResolver, FeedbackReportResolver, FeedbackResolver } from '../feedback/feedback.resolver.js';
import { AuditResolver } from '../audit/audit.resolver.js';
import { PodLogResolver, RuntimeResolver } from '../runtime/runtime.resolver.js';
import { ApprovalResolver, EnvironmentApprovalResolver, RevisionApprovalResolver } from '../approvals/approval.resolver.js';

export const resolvers = [
  ApprovalResolver,
  EnvironmentApprovalResolver,
  RevisionApprovalResolver,
  ProjectResolver,
  EnvironmentResolver,
  AppResolver,
  AppStateResolver,
  AppSettingsResolver,
  RevisionSettingsResolver,
  AppWebhookResolver,
  RevisionResolver,
  RolloutProgressResolver,
  BuildResolver,
  WebhookResolver,
  WebhookDeliveryResolver,
  WebhookTrustResolver,
  WebhookTrustsResolver,
  FeedbackResolver,
  FeedbackReportResolver,
  AppFeedbackResolver,
  NotificationResolver,
  NotificationDeliveryResolver,
  EventResolver,
  PeopleResolver,
  TokenResolver,
  AuditResolver,
  RuntimeResolver,
  PodLogResolver,
] as const;

let built: Promise<GraphQLSchema> | undefined;

/**
 * The schema from the type-graphql classes. Resolvers get their services from the context,
 * so one schema serves every Kipper instance in a process (built once).
 */
export function buildKipperSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers,
    validate: false,
    // Required by type-graphql for subscriptions even though every one has its own `subscribe`
    // (over the Redis pub/sub in the context): never used.
    pubSub: {
      publish: () => {
        throw new Error('publish through EventPublisher');
      },
      subscribe: () => {
        throw new Error('subscriptions use context.services.pubsub');
      },
    },
    // Every root field is checked against the access table (access/access.table.ts).
  }).then((schema) => guardRootFields(withErrorCode(schema)));
  return built;
}

/**
 * No field returns ErrorCode (codes travel in `extensions.code`), and type-graphql's
 * `orphanedTypes` takes classes only, so the enum is added to the built schema: the SDL then
 * carries it to the CLI and the console.
 */
function withErrorCode(schema: GraphQLSchema): GraphQLSchema {
  if (schema.getType('ErrorCode')) return schema;
  const config = schema.toConfig();
  const errorCode = new GraphQLEnumType({
    name: 'ErrorCode',
    description: 'Stable error codes, found in `errors[].extensions.code`.',
    values: Object.fromEntries(Object.keys(ErrorCode).map((key) => [key, { value: key }])),
  });
  return new GraphQLSchema({ ...config, types: [...config.types, errorCode] });
}

/** The SDL committed as schema/schema.graphql. */
export async function printKipperSchema(): Promise<string> {
  const header = '# Generated from the type-graphql classes of @kipper/api by `npm run schema`. Do not edit.\n\n';
  return `${header}${printSchema(lexicographicSortSchema(await buildKipperSchema()))}\n`;
}
