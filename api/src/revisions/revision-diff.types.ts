import { Field, Int, ObjectType } from 'type-graphql';
import { RevisionType } from './revision.types.js';

@ObjectType('StringChange')
export class StringChangeType {
  @Field(() => String, { nullable: true }) from!: string | null;
  @Field(() => String, { nullable: true }) to!: string | null;
  @Field(() => Boolean) changed!: boolean;
}

@ObjectType('IntChange')
export class IntChangeType {
  @Field(() => Int, { nullable: true }) from!: number | null;
  @Field(() => Int, { nullable: true }) to!: number | null;
  @Field(() => Boolean) changed!: boolean;
}

@ObjectType('CommitChange')
export class CommitChangeType extends StringChangeType {
  @Field(() => String, { nullable: true, description: 'Link to the `from` commit (git apps on github.com or gitlab.com).' }) fromUrl!: string | null;
  @Field(() => String, { nullable: true }) toUrl!: string | null;
}

@ObjectType('EnvDiffEntry')
export class EnvDiffEntryType {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true, description: 'Never shown for secret variables.' }) value!: string | null;
  @Field(() => Boolean) secret!: boolean;
}

@ObjectType('EnvValueChange')
export class EnvValueChangeType {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true, description: 'Null for secret variables.' }) from!: string | null;
  @Field(() => String, { nullable: true }) to!: string | null;
  @Field(() => Boolean) secret!: boolean;
}

@ObjectType('EnvDiff')
export class EnvDiffType {
  @Field(() => [EnvDiffEntryType]) added!: EnvDiffEntryType[];
  @Field(() => [EnvDiffEntryType]) removed!: EnvDiffEntryType[];
  @Field(() => [EnvValueChangeType]) changed!: EnvValueChangeType[];
}

@ObjectType('RevisionDiff', { description: 'What differs between two revisions of an app.' })
export class RevisionDiffType {
  @Field(() => RevisionType) from!: RevisionType;
  @Field(() => RevisionType) to!: RevisionType;
  @Field(() => StringChangeType) image!: StringChangeType;
  @Field(() => CommitChangeType) commit!: CommitChangeType;
  @Field(() => Boolean, { description: 'False when a revision was recorded before Kipper kept settings: env, port, replicas and host are then unknown (null).' }) settingsKnown!: boolean;
  @Field(() => EnvDiffType) env!: EnvDiffType;
  @Field(() => IntChangeType) port!: IntChangeType;
  @Field(() => IntChangeType) replicas!: IntChangeType;
  @Field(() => StringChangeType) host!: StringChangeType;
}
