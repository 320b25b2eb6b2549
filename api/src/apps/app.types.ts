import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { AppSource, DeployPolicy } from '@kipper/core';

@ObjectType('EnvVar')
export class EnvVarType {
  @Field(() => String) name!: string;
  @Field(() => String) value!: string;
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
  @Field(() => [EnvVarType]) env!: EnvVarType[];
  @Field(() => String, { nullable: true }) host!: string | null;
  @Field(() => DeployPolicy) deployPolicy!: DeployPolicy;
  @Field(() => Boolean) autoRollback!: boolean;
  @Field(() => Boolean) watchGit!: boolean;
  @Field(() => Date) createdAt!: Date;
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
}
