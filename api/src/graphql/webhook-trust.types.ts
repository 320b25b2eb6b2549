import { Field, ID, ObjectType } from 'type-graphql';

// GraphQL shape of WebhookTrustService results (keyless CI).

@ObjectType('WebhookTrust', { description: 'A CI identity the webhook trusts: OIDC tokens from `issuer` whose `sub` matches `subject` and whose `aud` holds `audience` may deploy the app (Authorization: Bearer).' })
export class WebhookTrustType {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'The token\'s `iss`, e.g. https://token.actions.githubusercontent.com or https://gitlab.com.' }) issuer!: string;
  @Field(() => String, { description: 'The `sub` pattern: exact, or with `*` matching any run of characters (repo:acme/api:ref:refs/heads/*).' }) subject!: string;
  @Field(() => String, { description: 'Expected in the token\'s `aud`; default kipper.' }) audience!: string;
  @Field(() => String) createdBy!: string;
  @Field(() => Date) createdAt!: Date;
}
