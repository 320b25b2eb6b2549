import 'reflect-metadata';
import { ConfigError, createLogger, loadConfig, type KipperConfig, describeError } from '@kipper/core';
import { startBuiltInClusterWhenNeeded } from './server/built-in-cluster.js';
import { createKipper } from './server/kipper.js';

/**
 * `node api/dist/main.js`: the api process. Without a cluster (no KIPPER_KUBE_SERVER, no
 * kubeconfig) it starts the built-in Kubernetes simulator and says so. Logs are JSON lines on
 * stdout (pretty on a terminal, KIPPER_LOG_FORMAT).
 */
async function main(): Promise<void> {
  let config: KipperConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`kipper: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger({ component: 'api', ...config.log });

  const builtIn = await startBuiltInClusterWhenNeeded(config, log);
  // The one-time admin token goes to the person starting Kipper as two plain lines, never into
  // a JSON log record (see docs/operations.md, "Probes, metrics and logs").
  const kipper = createKipper(builtIn.config, { log, announceToken: (lines) => process.stdout.write(lines.map((l) => `${l}\n`).join('')) });
  const { url } = await kipper.start();
  log.info(`Kipper API listening on ${url} (GraphQL at ${url}/graphql)`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    kipper
      .stop()
      .then(() => builtIn.close())
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        log.error('stopping failed', err);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`kipper: ${err.message}`);
    process.exit(2);
  }
  console.error(`kipper: could not start: ${describeError(err, { stack: false })}`);
  process.exit(1);
});
