import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { RevisionType } from '../revisions/revision.types.js';
import { AppType, EnvVarInput } from './app.types.js';

@ObjectType('AppSettingsResult', { description: 'An app after a change of its settings or env, and the CONFIG revision that rolls out a new pod template (null when the change needs none: replicas, host, policies, or an app with no image yet).' })
export class AppSettingsResultType {
  @Field(() => AppType) app!: AppType;
  @Field(() => RevisionType, { nullable: true }) revision!: RevisionType | null;
}

@InputType('AppEnvInput', { description: 'Variables to set and names to remove, in one change (one CONFIG revision).' })
export class AppEnvInput {
  @Field(() => [EnvVarInput], { nullable: true }) set?: EnvVarInput[] | null;
  @Field(() => [String], { nullable: true }) unset?: string[] | null;
}

@ObjectType('AppEnvVar', { description: 'A variable of an app; the value of a secret one only when revealed.' })
export class AppEnvVarType {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true, description: 'Null for a secret variable unless revealed.' }) value!: string | null;
  @Field(() => Boolean) secret!: boolean;
  @Field(() => String, { nullable: true }) fingerprint!: string | null;
}

@ObjectType('RevisionSettings', { description: 'The settings a revision was recorded with; secret variables without their values.' })
export class RevisionSettingsType {
  @Field(() => Int) port!: number;
  @Field(() => Int) replicas!: number;
  @Field(() => String, { nullable: true }) host!: string | null;
  @Field(() => [AppEnvVarType]) env!: AppEnvVarType[];
}
