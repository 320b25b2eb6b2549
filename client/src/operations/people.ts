import { graphql } from '../graphql.js';

/** Who the credential acts as. */
export const MeQuery = graphql(`
  query Me { me { actor admin scope role user { name displayName admin } } }
`);

export const UsersQuery = graphql(`
  query Users { users { id name displayName admin hasPassword disabledAt createdAt } }
`);

export const CreateUserMutation = graphql(`
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) { id name displayName admin hasPassword disabledAt createdAt }
  }
`);

export const DisableUserMutation = graphql(`
  mutation DisableUser($name: String!) {
    disableUser(name: $name) { id name displayName admin hasPassword disabledAt createdAt }
  }
`);

export const ChangePasswordMutation = graphql(`
  mutation ChangePassword($name: String, $currentPassword: String, $newPassword: String!) {
    changePassword(name: $name, currentPassword: $currentPassword, newPassword: $newPassword)
  }
`);


export const TokensQuery = graphql(`
  query Tokens($all: Boolean!) {
    tokens(all: $all) { id name owner project environment role createdAt lastUsedAt expiresAt revokedAt }
  }
`);

export const CreateTokenMutation = graphql(`
  mutation CreateToken($input: CreateTokenInput!) {
    createToken(input: $input) { value token { id name owner project environment role createdAt lastUsedAt expiresAt revokedAt } }
  }
`);

export const RevokeTokenMutation = graphql(`
  mutation RevokeToken($name: String!, $owner: String) {
    revokeToken(name: $name, owner: $owner) { id name owner project environment role createdAt lastUsedAt expiresAt revokedAt }
  }
`);

export const ProjectMembersQuery = graphql(`
  query ProjectMembers($project: String!) { projectMembers(project: $project) { user displayName role createdAt } }
`);

export const AddProjectMemberMutation = graphql(`
  mutation AddProjectMember($project: String!, $user: String!, $role: ProjectRole!) {
    addProjectMember(project: $project, user: $user, role: $role) { user displayName role createdAt }
  }
`);

export const RemoveProjectMemberMutation = graphql(`
  mutation RemoveProjectMember($project: String!, $user: String!) {
    removeProjectMember(project: $project, user: $user) { user displayName role createdAt }
  }
`);

