import { ProjectRole } from '@kipper/core';
import { Field, ID, InputType, ObjectType } from 'type-graphql';

@ObjectType('User', { description: 'A person who signs in; their name is the actor of what they do.' })
export class UserType {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) displayName!: string | null;
  @Field(() => Boolean, { description: 'Instance admins manage people and projects and are admin in every project.' }) admin!: boolean;
  @Field(() => Boolean, { description: 'Whether the person can sign in with a password.' }) hasPassword!: boolean;
  @Field(() => Date, { nullable: true, description: 'Set when disabled: no sign-in, sessions and tokens ended.' }) disabledAt!: Date | null;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType('Me', { description: 'Who the request acts as.' })
export class MeType {
  @Field(() => String, { description: 'The audit actor: a person\'s name, or `token:NAME` for a project token.' }) actor!: string;
  @Field(() => UserType, { nullable: true, description: 'The person behind the credential (a project token\'s owner).' }) user!: UserType | null;
  @Field(() => Boolean) admin!: boolean;
  @Field(() => String, { nullable: true, description: '`project` or `project/environment` for a project token.' }) scope!: string | null;
  @Field(() => ProjectRole, { nullable: true, description: 'A project token\'s role (never more than its owner\'s).' }) role!: ProjectRole | null;
}

@InputType('CreateUserInput')
export class CreateUserInput {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) displayName?: string | null;
  @Field(() => String, { nullable: true, description: 'Omitted: the person cannot sign in with a password (single sign-on, tokens).' }) password?: string | null;
  @Field(() => Boolean, { nullable: true, defaultValue: false }) admin?: boolean | null;
}

@ObjectType('ApiToken', { description: 'An API token; its value is shown once, at creation, and never again.' })
export class ApiTokenType {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true, description: 'The person it belongs to.' }) owner!: string | null;
  @Field(() => String, { nullable: true, description: 'The project it is limited to; null: acts as its owner.' }) project!: string | null;
  @Field(() => String, { nullable: true, description: 'The environment it is limited to, within the project.' }) environment!: string | null;
  @Field(() => ProjectRole, { nullable: true }) role!: ProjectRole | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true, description: 'To the minute.' }) lastUsedAt!: Date | null;
  @Field(() => Date, { nullable: true }) expiresAt!: Date | null;
  @Field(() => Date, { nullable: true }) revokedAt!: Date | null;
}

@ObjectType('CreatedToken')
export class CreatedTokenType {
  @Field(() => ApiTokenType) token!: ApiTokenType;
  @Field(() => String, { description: 'The token (`kip_…`): shown this once, only its hash is kept.' }) value!: string;
}

@InputType('CreateTokenInput')
export class CreateTokenInput {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true, description: 'Limits the token to this project (a project token, actor `token:NAME`).' }) project?: string | null;
  @Field(() => String, { nullable: true, description: 'And to this environment of it (deploys only there).' }) environment?: string | null;
  @Field(() => ProjectRole, { nullable: true, description: 'For a project token: VIEWER or DEPLOYER (default); never more than yours.' }) role?: ProjectRole | null;
  @Field(() => Date, { nullable: true }) expiresAt?: Date | null;
}

@ObjectType('ProjectMember')
export class ProjectMemberType {
  @Field(() => String) user!: string;
  @Field(() => String, { nullable: true }) displayName!: string | null;
  @Field(() => ProjectRole) role!: ProjectRole;
  @Field(() => Date) createdAt!: Date;
}
