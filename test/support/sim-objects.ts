/**
 * Changes made to a cluster "behind Kipper's back", the way a person with kubectl would make
 * them: plain Kubernetes REST calls against the simulator, nothing of Kipper's in between.
 */

interface DeploymentBody {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    replicas?: number;
    template: { metadata?: { annotations?: Record<string, string> }; spec: { containers: { name: string; image: string }[] } };
  };
}

const deploymentPath = (namespace: string, name: string) => `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`;

async function ok(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
}

/** The Deployment as the API server has it, or null when there is none. */
export async function readDeployment(simUrl: string, namespace: string, name: string): Promise<DeploymentBody | null> {
  const res = await fetch(`${simUrl}${deploymentPath(namespace, name)}`);
  if (res.status === 404) return null;
  return (await (await ok(res, `GET deployment ${namespace}/${name}`)).json()) as DeploymentBody;
}

/** The image of the Deployment's first container, or null when there is no Deployment. */
export async function deploymentImage(simUrl: string, namespace: string, name: string): Promise<string | null> {
  return (await readDeployment(simUrl, namespace, name))?.spec.template.spec.containers[0]?.image ?? null;
}

/** `kubectl delete <kind>/<name>`: `path` is the object's REST path, e.g. `/api/v1/namespaces/ns/services/web`. */
export async function deleteObject(simUrl: string, path: string): Promise<void> {
  await ok(await fetch(`${simUrl}${path}`, { method: 'DELETE' }), `DELETE ${path}`);
}

export async function deleteDeployment(simUrl: string, namespace: string, name: string): Promise<void> {
  await deleteObject(simUrl, deploymentPath(namespace, name));
}

/** `kubectl patch`: a strategic merge patch of the Deployment. */
export async function patchDeployment(simUrl: string, namespace: string, name: string, patch: unknown): Promise<void> {
  await ok(
    await fetch(`${simUrl}${deploymentPath(namespace, name)}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/strategic-merge-patch+json' },
      body: JSON.stringify(patch),
    }),
    `PATCH deployment ${namespace}/${name}`,
  );
}

/** `kubectl set image deployment/<name> <name>=<image>`. */
export async function setDeploymentImage(simUrl: string, namespace: string, name: string, image: string): Promise<void> {
  await patchDeployment(simUrl, namespace, name, { spec: { template: { spec: { containers: [{ name, image }] } } } });
}

/** `kubectl scale deployment/<name> --replicas=N`. */
export async function scaleDeployment(simUrl: string, namespace: string, name: string, replicas: number): Promise<void> {
  await patchDeployment(simUrl, namespace, name, { spec: { replicas } });
}

/** HTTP status of a GET of the object at `path` (404: gone). */
export async function objectStatus(simUrl: string, path: string): Promise<number> {
  return (await fetch(`${simUrl}${path}`)).status;
}
