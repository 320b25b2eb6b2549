import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { AppSource, DeployPolicy, DriftPolicy, HealthStatus, type AppDrift, type AppHealth, type EnvEntry } from '@kipper/core';
import { RevisionType } from '../revisions/revision.types.js';

@ObjectType('EnvVar')
export class EnvVarType {
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'Empty for a secret variable: its value is in a Kubernetes Secret, readable through appEnv(reveal: true).' }) value!: string;
  @Field(() => Boolean, { description: 'Stored in a Kubernetes Secret, never in Kipper\'s database: set with secret, or named like *_TOKEN, *_SECRET, *_PASSWORD, *_KEY.' }) secret!: boolean;
  @Field(() => String, { nullable: true, description: 'Secret variables: a short hash that changes when the value does (never the value).' }) fingerprint!: string | null;
}

/** The GraphQL view of stored env entries: secret values never leave core. */
export function envVarsOf(env: readonly EnvEntry[]): EnvVarType[] {
  return env.map((e) => (e.secret === true ? { name: e.name, value: '', secret: true, fingerprint: e.fingerprint } : { name: e.name, value: e.value, secret: false, fingerprint: null }));
}

@ObjectType('App')
export class AppType {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String) namespace!: string;
  @Field(() => AppSource) source!: AppSource;
  @Field(() => String, { nullable: true, description: 'Image apps: the image given at deploy time. The running image is currentRevision.image.' }) image!: string | null;
  @Field(() => String, { nullable: true }) gitUrl!: string | null;
  @Field(() => String, { nullable: true }) gitBranch!: string | null;
  @Field(() => String, { nullable: true }) dockerfilePath!: string | null;
  @Field(() => Int) port!: number;
  @Field(() => Int) replicas!: number;
  @Field(() => [EnvVarType], { description: 'Secret variables without their values.' }) env!: EnvVarType[];
  @Field(() => String, { nullable: true }) host!: string | null;
  @Field(() => DeployPolicy) deployPolicy!: DeployPolicy;
  @Field(() => Boolean) autoRollback!: boolean;
  @Field(() => Boolean) watchGit!: boolean;
  @Field(() => DriftPolicy, { description: 'What the reconciler does when the cluster differs from the record (default REPAIR).' }) driftPolicy!: DriftPolicy;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType('AppHealth', { description: 'The app\'s health as the worker last observed it in the cluster (Deployment and pods).' })
export class AppHealthType {
  @Field(() => HealthStatus) status!: HealthStatus;
  @Field(() => String, { nullable: true, description: 'Why, for DEGRADED and PROGRESSING: CrashLoopBackOff, ImagePullBackOff, OOMKilled, ProgressDeadlineExceeded, …' }) reason!: string | null;
  @Field(() => String, { nullable: true, description: 'Details for people, e.g. `2/3 pods crash-looping`.' }) message!: string | null;
  @Field(() => Date, { description: 'When the app entered this status.' }) since!: Date;
}

@ObjectType('AppDrift', { description: 'A difference between the cluster and the record that the reconciler reported without repairing it (drift policy REPORT).' })
export class AppDriftType {
  @Field(() => String) message!: string;
  @Field(() => Date) detectedAt!: Date;
}

@ObjectType('AppPin', { description: 'A rollback pins its app: webhooks and git pushes are recorded HELD until unpinApp (or a person deploys).' })
export class AppPinType {
  @Field(() => RevisionType, { description: 'The revision the rollback created.' }) revision!: RevisionType;
  @Field(() => String, { description: 'Who rolled back.' }) by!: string;
  @Field(() => Date) at!: Date;
}

/** Core keeps health and drift times as ISO strings (jsonb); GraphQL serves them as DateTimeISO. */
export function healthOf(health: AppHealth | null | undefined): AppHealthType | null {
  return health ? { status: health.status, reason: health.reason ?? null, message: health.message ?? null, since: new Date(health.since) } : null;
}

export function driftOf(drift: AppDrift | null | undefined): AppDriftType | null {
  return drift ? { message: drift.message, detectedAt: new Date(drift.detectedAt) } : null;
}

@InputType('AppRef', { description: 'Names an app: `namespace` + `name`, or `project` + `environment` + `name`, or `name` alone when it is unique.' })
export class AppRefInput {
  @Field(() => String, { nullable: true }) namespace?: string | null;
  @Field(() => String, { nullable: true }) project?: string | null;
  @Field(() => String, { nullable: true }) environment?: string | null;
  @Field(() => String) name!: string;
}

@InputType('EnvVarInput')
export class EnvVarInput {
  @Field(() => String) name!: string;
  @Field(() => String) value!: string;
  @Field(() => Boolean, { nullable: true, description: 'Keep the value in a Kubernetes Secret (always so for names like *_TOKEN, *_SECRET, *_PASSWORD, *_KEY).' }) secret?: boolean | null;
}

@InputType('DeployAppInput')
export class DeployAppInput {
  @Field(() => String, { nullable: true }) project?: string | null;
  @Field(() => String, { nullable: true, description: 'Default: the first environment of the project.' }) environment?: string | null;
  @Field(() => String, { nullable: true }) namespace?: string | null;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true, description: 'Image apps: a full reference including a tag or digest. Exactly one of image and gitUrl.' }) image?: string | null;
  @Field(() => String, { nullable: true }) gitUrl?: string | null;
  @Field(() => String, { nullable: true, description: 'Default main.' }) gitBranch?: string | null;
  @Field(() => String, { nullable: true, description: 'Default Dockerfile.' }) dockerfilePath?: string | null;
  @Field(() => Int) port!: number;
  @Field(() => Int, { nullable: true, description: 'Default 1.' }) replicas?: number | null;
  @Field(() => [EnvVarInput], { nullable: true }) env?: EnvVarInput[] | null;
  @Field(() => String, { nullable: true }) host?: string | null;
  @Field(() => DeployPolicy, { nullable: true }) deployPolicy?: DeployPolicy | null;
  @Field(() => Boolean, { nullable: true }) autoRollback?: boolean | null;
  @Field(() => Boolean, { nullable: true }) watchGit?: boolean | null;
  @Field(() => DriftPolicy, { nullable: true, description: 'Default REPAIR.' }) driftPolicy?: DriftPolicy | null;
}

@InputType('AppSettingsInput', { description: 'Settings of an existing app; omitted fields stay as they are.' })
export class AppSettingsInput {
  @Field(() => DeployPolicy, { nullable: true }) deployPolicy?: DeployPolicy | null;
  @Field(() => Boolean, { nullable: true }) autoRollback?: boolean | null;
  @Field(() => DriftPolicy, { nullable: true }) driftPolicy?: DriftPolicy | null;
  @Field(() => Int, { nullable: true, description: 'Container port, 1-65535: a change is a new CONFIG revision.' }) port?: number | null;
  @Field(() => Int, { nullable: true, description: 'Pods, 0-50: applied to the cluster at once, no revision.' }) replicas?: number | null;
  @Field(() => String, { nullable: true, description: 'Ingress host (a DNS name; empty string: no Ingress): applied at once, no revision.' }) host?: string | null;
}

@ObjectType('UnpinResult')
export class UnpinResultType {
  @Field(() => AppType) app!: AppType;
  @Field(() => RevisionType, { nullable: true, description: 'The newest held revision, now queued; null when nothing was held.' }) deployed!: RevisionType | null;
}
