import { DeployAppMutation } from '@kipper/client';
import { InvalidArgumentError, type Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { CliError, UsageError } from '../../errors.js';
import { jsonEnum, revisionProgress } from '../../format.js';
import { appRef, parseIntOption, withAppRef, withOutput, type AppRefOptions } from '../../options.js';
import { runRevisionFlow, withWait, type WaitFlags } from '../../revision-flow.js';

interface EnvVar {
  name: string;
  value: string;
}

interface DeployOptions extends AppRefOptions, WaitFlags {
  name?: string;
  image?: string;
  git?: string;
  branch?: string;
  dockerfile?: string;
  port: number;
  replicas?: number;
  env?: EnvVar[];
  host?: string;
  deployPolicy?: 'latest' | 'every';
  driftPolicy?: 'repair' | 'report';
  autoRollback?: boolean;
  watchGit?: boolean;
}

function parseEnvVar(value: string): EnvVar {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`"${value}" is not KEY=VALUE.`);
  return { name: value.slice(0, eq), value: value.slice(eq + 1) };
}

function collectEnv(value: string, previous: EnvVar[] = []): EnvVar[] {
  return [...previous, parseEnvVar(value)];
}

/** The usage rules commander cannot express; answers the app's name. */
function checkUsage(positional: string | undefined, opts: DeployOptions): string {
  const name = positional ?? opts.name;
  if (!name) throw new UsageError('Name the app: kip app deploy NAME (or --name NAME).');
  if (positional && opts.name && positional !== opts.name) {
    throw new UsageError(`Two names given: ${positional} and --name ${opts.name}.`);
  }
  if (!opts.image === !opts.git) throw new UsageError('Give exactly one of --image IMAGE or --git URL.');
  if (!opts.git && (opts.branch || opts.dockerfile || opts.watchGit)) {
    throw new UsageError('--branch, --dockerfile and --watch-git go with --git.');
  }
  if (opts.deployPolicy && opts.deployPolicy !== 'latest' && opts.deployPolicy !== 'every') {
    throw new UsageError('--deploy-policy is latest or every.');
  }
  if (opts.driftPolicy && opts.driftPolicy !== 'repair' && opts.driftPolicy !== 'report') {
    throw new UsageError('--drift-policy is repair or report.');
  }
  return name;
}

/** `kip app deploy`: creates the app and queues its first revision. */
export function appDeployCommand(app: Command, state: RunState): Command {
  return withWait(
    withAppRef(
      withOutput(
        app
          .command('deploy')
          .description('create an app from --image or --git')
          .argument('[name]', 'app name (or --name)')
          .option('--name <name>', 'app name, e.g. api')
          .option('--image <image>', 'image reference, e.g. registry.example.com/api:abc123f')
          .option('--git <url>', 'git repository to build from (its Dockerfile)')
          .option('--branch <branch>', 'with --git: branch to build (default main)')
          .option('--dockerfile <path>', 'with --git: path of the Dockerfile')
          .requiredOption('--port <port>', 'port the container listens on', parseIntOption('--port', 1))
          .option('--replicas <n>', 'number of replicas', parseIntOption('--replicas', 0))
          .option('--env <KEY=VALUE>', 'environment variable (repeatable)', collectEnv, [])
          .option('--host <host>', 'public host name (creates an Ingress)')
          .option('--deploy-policy <policy>', 'latest: the newest revision wins, even over one in flight; every: deploy each in order')
          .option('--drift-policy <policy>', 'repair (default): put the cluster back to the record; report: only flag differences')
          .option('--auto-rollback', 'go back to the last live revision when a rollout fails (the default)')
          .option('--no-auto-rollback', 'leave a failed rollout as it is')
          .option('--watch-git', 'with --git: rebuild when the branch moves'),
      ),
    ),
  ).action(
    action(state, async (ctx, positional: string | undefined, opts: DeployOptions) => {
      const name = checkUsage(positional, opts);
      const ref = appRef(name, opts);
      const env = opts.env ?? [];
      const client = await ctx.client();
      const input = {
        name,
        ...(ref.project ? { project: ref.project } : {}),
        ...(ref.environment ? { environment: ref.environment } : {}),
        ...(ref.namespace ? { namespace: ref.namespace } : {}),
        ...(opts.image ? { image: opts.image } : {}),
        ...(opts.git ? { gitUrl: opts.git, gitBranch: opts.branch ?? 'main' } : {}),
        ...(opts.dockerfile ? { dockerfilePath: opts.dockerfile } : {}),
        port: opts.port,
        ...(opts.replicas !== undefined ? { replicas: opts.replicas } : {}),
        ...(env.length ? { env } : {}),
        ...(opts.host ? { host: opts.host } : {}),
        ...(opts.deployPolicy ? { deployPolicy: opts.deployPolicy === 'every' ? ('EVERY' as const) : ('LATEST' as const) } : {}),
        ...(opts.driftPolicy ? { driftPolicy: opts.driftPolicy === 'report' ? ('REPORT' as const) : ('REPAIR' as const) } : {}),
        ...(opts.autoRollback !== undefined ? { autoRollback: opts.autoRollback } : {}),
        ...(opts.watchGit ? { watchGit: true } : {}),
      };
      let created: { name: string; namespace: string; project: string; environment: string; source: string } | undefined;
      return runRevisionFlow(ctx, opts, {
        ref,
        subscribeFirst: false,
        mutate: async () => {
          const a = (await client.request(DeployAppMutation, { input })).deployApp;
          created = {
            name: a.name,
            namespace: a.namespace,
            project: a.project.name,
            environment: a.environment.name,
            source: jsonEnum(a.source),
          };
          // From now on the app is known by its namespace: --wait follows it there.
          ref.namespace = a.namespace;
          delete ref.project;
          delete ref.environment;
          ctx.out.success(`App ${a.name} created in ${a.namespace}`);
          ctx.out.line(a.source === 'GIT' ? `Source: ${a.gitUrl} (${a.gitBranch ?? 'main'})` : `Image: ${a.image}`);
          const first = a.revisions.nodes[0];
          if (!first) {
            throw new CliError(
              `App ${a.name} was created but has no revision yet; see \`kip app status ${a.name} --namespace ${a.namespace}\`.`,
              1,
              'NO_REVISION',
            );
          }
          return first;
        },
        // With --wait the follower prints the revision's state lines, this one included.
        report: (revision) => {
          if (!opts.wait) ctx.out.line(revisionProgress(revision));
        },
        json: () => ({ app: created }),
      });
    }),
  );
}
