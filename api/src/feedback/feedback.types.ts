import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { FeedbackProvider, FeedbackStage } from '../graphql/enums.js';

// GraphQL shapes of FeedbackService's connections and reports.

@ObjectType('FeedbackTokenSecret', { description: 'The Kubernetes Secret in the app\'s namespace that holds the token; Kipper keeps only its name and key.' })
export class FeedbackTokenSecretType {
  @Field(() => String) name!: string;
  @Field(() => String) key!: string;
}

@ObjectType('FeedbackConnection', { description: 'An app connected to a GitHub repository or a GitLab project: each revision with a commit is reported there (commit status `kipper/{environment}`, a deployment in the environment).' })
export class FeedbackConnectionType {
  @Field(() => ID) id!: string;
  @Field(() => FeedbackProvider) provider!: FeedbackProvider;
  @Field(() => String, { description: 'GitHub `owner/repo`; GitLab `group/sub/project` or the project\'s id.' }) repository!: string;
  @Field(() => String, { description: 'The REST API it is reported to (GitHub Enterprise and self-hosted GitLab have their own).' }) apiUrl!: string;
  @Field(() => FeedbackTokenSecretType) tokenSecret!: FeedbackTokenSecretType;
  @Field(() => String) createdBy!: string;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType('FeedbackReport', { description: 'What was reported of one revision through a connection.' })
export class FeedbackReportType {
  @Field(() => FeedbackStage, { nullable: true, description: 'The last stage that got through; null when none did yet.' }) stage!: FeedbackStage | null;
  @Field(() => String, { nullable: true, description: 'What was said with it (the failure reason, …).' }) description!: string | null;
  @Field(() => String, { nullable: true, description: 'The commit as the provider knows it.' }) sha!: string | null;
  @Field(() => String, { nullable: true, description: 'The provider\'s deployment id.' }) deploymentId!: string | null;
  @Field(() => Date, { nullable: true }) reportedAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'Why the last delivery failed (it is retried with backoff); null after a success.' }) lastError!: string | null;
  @Field(() => Date) updatedAt!: Date;
}

@InputType('FeedbackTokenSecretInput')
export class FeedbackTokenSecretInput {
  @Field(() => String, { description: 'Name of the Secret in the app\'s namespace (`kubectl create secret generic NAME --from-literal=token=…`).' }) name!: string;
  @Field(() => String, { nullable: true, description: 'Key of the token in the Secret; default `token`.' }) key?: string | null;
}

@InputType('ConnectFeedbackInput')
export class ConnectFeedbackInput {
  @Field(() => FeedbackProvider) provider!: FeedbackProvider;
  @Field(() => String, { description: 'GitHub `owner/repo`; GitLab `group/sub/project` or the project\'s numeric id.' }) repository!: string;
  @Field(() => String, { nullable: true, description: 'Default https://api.github.com (GitHub) or https://gitlab.com/api/v4 (GitLab); https only.' }) apiUrl?: string | null;
  @Field(() => FeedbackTokenSecretInput) tokenSecret!: FeedbackTokenSecretInput;
}
