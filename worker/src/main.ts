import { ConfigError, createLogger, describeError, loadConfig, type Logger } from '@kipper/core';
import { ClusterError, connectCluster, describeClusterChoice } from '@kipper/kube';
import { startWorker } from './runtime.js';
import { loadWorkerSettings } from './worker.config.js';

/**
 * The worker process: `node worker/dist/main.js`. Configuration errors print one line and exit 2;
 * SIGTERM/SIGINT stop it gracefully (exit 0); a second signal exits at once (1).
 */
async function main(): Promise<void> {
  let log: Logger;
  let config;
  let settings;
  let cluster;
  try {
    config = loadConfig();
    settings = loadWorkerSettings();
    const target = config.cluster;
    if (target.kind === 'simulator') {
      throw new ConfigError(
        'the worker needs a cluster: set KIPPER_KUBE_SERVER (e.g. the simulator started by npm start) or KUBECONFIG',
      );
    }
    cluster = connectCluster(target);
    log = createLogger({ component: 'worker', ...config.log });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ClusterError) {
      process.stderr.write(`kipper worker: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }

  const worker = await startWorker(config, settings, cluster, log, {
    logs: { reconciler: createLogger({ component: 'reconciler', ...config.log }), sweeper: createLogger({ component: 'sweeper', ...config.log }) },
  });
  log.info(
    `kipper worker ${process.pid} started: queues ${config.queuePrefix}:deploys (${settings.rolloutConcurrency} apps at once, ${config.workerConcurrency} builds) and ${config.queuePrefix}:reports (concurrency ${settings.reportConcurrency}), cluster ${describeClusterChoice(config.cluster)}, health and metrics at ${worker.ops.url}`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    log.info(`${signal}: stopping (running work is handed back to the queue)`);
    worker.close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error('stop failed', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`kipper worker: ${describeError(error, { stack: false })}\n`);
  process.exit(1);
});
