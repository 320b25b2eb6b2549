import type { RunningKipper } from './kipper.js';

/** `kubectl create secret generic NAME --from-literal=KEY=VALUE -n NAMESPACE`, as plain REST against the simulator. */
export async function createSecret(simUrl: string, namespace: string, name: string, data: Record<string, string>): Promise<void> {
  const res = await fetch(`${simUrl}/api/v1/namespaces/${namespace}/secrets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name, namespace },
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    }),
  });
  // Already there (another app of the namespace made it): kubectl would say so too, and it is the same token.
  if (!res.ok && res.status !== 409) throw new Error(`create Secret ${namespace}/${name}: ${res.status} ${await res.text()}`);
}

/** GraphQL that must succeed. */
export async function gql<T>(kipper: RunningKipper, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await kipper.graphql<T>(query, variables);
  if (result.errors?.length) throw new Error(JSON.stringify(result.errors));
  return result.data!;
}

export interface TestApp {
  id: string;
  name: string;
  namespace: string;
  environment: string;
}

/** Creates an image app (its first revision has no commit: nothing is reported of it) and waits until it is live. */
export async function deployImageApp(
  kipper: RunningKipper,
  input: { project: string; environment: string; name: string; image?: string; host?: string; autoRollback?: boolean },
): Promise<TestApp> {
  const { deployApp } = await gql<{ deployApp: { id: string; namespace: string } }>(
    kipper,
    `mutation($i: DeployAppInput!) { deployApp(input: $i) { id namespace } }`,
    { i: { project: input.project, environment: input.environment, name: input.name, image: input.image ?? `registry.example.com/${input.name}:v0`, port: 8080, replicas: 1, host: input.host ?? null, autoRollback: input.autoRollback ?? true } },
  );
  const app = { id: deployApp.id, name: input.name, namespace: deployApp.namespace, environment: input.environment };
  await waitForStatus(kipper, app, 1, 'LIVE');
  return app;
}

export async function connect(kipper: RunningKipper, app: TestApp, input: { provider: 'GITHUB' | 'GITLAB'; repository: string; apiUrl: string; secret: string; key?: string }): Promise<void> {
  await gql(kipper, `mutation($a: AppRef!, $i: ConnectFeedbackInput!) { connectFeedback(app: $a, input: $i) { id } }`, {
    a: { namespace: app.namespace, name: app.name },
    i: { provider: input.provider, repository: input.repository, apiUrl: input.apiUrl, tokenSecret: { name: input.secret, key: input.key ?? null } },
  });
}

/** `updateImage`: a manual revision with a commit. */
export async function updateImage(kipper: RunningKipper, app: TestApp, image: string, commit: string): Promise<number> {
  const { updateImage: revision } = await gql<{ updateImage: { number: number } }>(
    kipper,
    `mutation($a: AppRef!, $image: String!, $commit: String) { updateImage(app: $a, image: $image, commit: $commit) { number } }`,
    { a: { namespace: app.namespace, name: app.name }, image, commit },
  );
  return revision.number;
}

export async function revisionStatus(kipper: RunningKipper, app: TestApp, number: number): Promise<{ status: string; failureReason: string | null } | null> {
  const data = await gql<{ app: { revision: { status: string; failureReason: string | null } | null } }>(
    kipper,
    `query($a: AppRef!, $n: Int!) { app(ref: $a) { revision(number: $n) { status failureReason } } }`,
    { a: { namespace: app.namespace, name: app.name }, n: number },
  );
  return data.app.revision;
}

export async function waitForStatus(kipper: RunningKipper, app: TestApp, number: number, status: string, timeoutMs = 20_000): Promise<void> {
  await until(async () => (await revisionStatus(kipper, app, number))?.status === status, timeoutMs, () => `revision #${number} of ${app.name} to be ${status}`);
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A random full commit SHA. */
export function sha(): string {
  return Array.from({ length: 40 }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');
}
