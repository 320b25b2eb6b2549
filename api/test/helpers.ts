import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { GraphQLResponse, RunningKipper } from '../../test/support/kipper.js';
import { App, Revision, RevisionStatus } from '@kipper/core';

export const REVISION = 'id number image commit trigger triggeredBy status current rollbackTo promotedFrom { namespace environment app revision }';

/** The data of a response that must have succeeded. */
export function ok<T>(response: GraphQLResponse<T>): T {
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data!;
}

/** The code of a response that must have failed. */
export function codeOf(response: GraphQLResponse<unknown>): string | undefined {
  expect(response.errors?.length, `expected an error, got ${JSON.stringify(response.data)}`).toBeGreaterThan(0);
  return response.errors![0]!.extensions?.code;
}

export async function createProject(k: RunningKipper, name: string, environments?: string[]) {
  return ok(
    await k.graphql<{ createProject: { id: string; name: string } }>(
      'mutation($input: CreateProjectInput!) { createProject(input: $input) { id name } }',
      { input: { name, ...(environments ? { environments } : {}) } },
    ),
  ).createProject;
}

export async function deployApp(k: RunningKipper, input: Record<string, unknown>) {
  return ok(
    await k.graphql<{ deployApp: { id: string; name: string; namespace: string } }>(
      'mutation($input: DeployAppInput!) { deployApp(input: $input) { id name namespace } }',
      { input: { port: 8080, ...input } },
    ),
  ).deployApp;
}

export async function updateImage(k: RunningKipper, app: Record<string, unknown>, image: string, commit?: string) {
  return ok(
    await k.graphql<{ updateImage: { number: number; id: string } }>(
      `mutation($app: AppRef!, $image: String!, $commit: String) { updateImage(app: $app, image: $image, commit: $commit) { ${REVISION} } }`,
      { app, image, commit },
    ),
  ).updateImage;
}

/** A digest as the worker records it from the pods (`sha256:` and 64 hex digits), distinct per revision. */
export function fakeDigest(appId: string, number: number): string {
  return `sha256:${createHash('sha256').update(`${appId}#${number}`).digest('hex')}`;
}

/**
 * What the worker does when a rollout finishes: the revision becomes `live` and current
 * (earlier live revisions keep `live`; only `current` moves).
 */
export async function markLive(k: RunningKipper, appId: string, number: number, digest: string | null = fakeDigest(appId, number)): Promise<void> {
  const ds = k.kipper.services.dataSource;
  const revision = await ds.getRepository(Revision).findOneByOrFail({ appId, number });
  const now = new Date();
  await ds.getRepository(Revision).update({ id: revision.id }, { status: RevisionStatus.LIVE, startedAt: now, finishedAt: now, digest });
  await ds.getRepository(App).update({ id: appId }, { currentRevisionId: revision.id });
}

export async function markFailed(k: RunningKipper, appId: string, number: number): Promise<void> {
  const now = new Date();
  await k.kipper.services.dataSource
    .getRepository(Revision)
    .update({ appId, number }, { status: RevisionStatus.FAILED, startedAt: now, finishedAt: now, failureReason: 'ProgressDeadlineExceeded' });
}

export async function count(k: RunningKipper, table: string): Promise<number> {
  const [row] = (await k.kipper.services.dataSource.query(`SELECT count(*)::int AS n FROM "${table}"`)) as { n: number }[];
  return row!.n;
}

/** GET on the simulator's Kubernetes API: the status code. */
export async function simStatus(k: RunningKipper, path: string): Promise<number> {
  const res = await fetch(`${k.sim.url}${path}`);
  await res.arrayBuffer();
  return res.status;
}
