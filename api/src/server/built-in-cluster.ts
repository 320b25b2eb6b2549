import type { KipperConfig, Logger } from '@kipper/core';
import { startSimulator } from '@kipper/kube-sim';

export interface ClusterForConfig {
  /** The configuration with a cluster Kipper can connect to. */
  config: KipperConfig;
  close(): Promise<void>;
}

/**
 * With no cluster configured, Kipper runs against its own Kubernetes API simulator and says so.
 * The one place that decides this: `npm start` (scripts/start.js, which hands the simulator's URL
 * to the api and the worker) and `node api/dist/main.js` run alone both call it.
 */
export async function startBuiltInClusterWhenNeeded(config: KipperConfig, log: Pick<Logger, 'info'>): Promise<ClusterForConfig> {
  if (config.cluster.kind !== 'simulator') return { config, close: () => Promise.resolve() };
  const simulator = await startSimulator({ port: config.simulatorPort, statePath: config.simulatorState });
  const kept = config.simulatorState ? `its objects kept in ${config.simulatorState}` : 'in memory';
  log.info(
    `No kubeconfig given: using the built-in Kubernetes simulator at ${simulator.url}, ${kept} (set KUBECONFIG or KIPPER_KUBE_SERVER for a real cluster)`,
  );
  return { config: { ...config, cluster: { kind: 'server', server: simulator.url } }, close: () => simulator.close() };
}
