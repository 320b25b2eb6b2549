import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { CliError, UsageError } from '../errors.js';
import { jsonEnum, relativeTime, revisionJson, revisionProgress, shortCommit, table, word } from '../format.js';
import {
  AppsQuery,
  AppStatusQuery,
  DeployAppMutation,
  UpdateImageMutation,
  type AppSummaryData,
} from '../graphql/operations.js';
import {
  action,
  appRef,
  failIfNull,
  parseIntOption,
  refFlags,
  withAppRef,
  withOutput,
  type AppRefOptions,
  type RunState,
} from './common.js';
import { runRevisionFlow, withWait, type WaitFlags } from './revision-flow.js';

export function parseEnvVar(value: string): { name: string; value: string } {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`"${value}" is not KEY=VALUE.`);
  return { name: value.slice(0, eq), value: value.slice(eq + 1) };
}

function collectEnv(value: string, previous: { name: string; value: string }[] = []) {
  return [...previous, parseEnvVar(value)];
}

export function notFound(name: string, ref: AppRefOptions): CliError {
  const where = ref.namespace ?? [ref.project, ref.environment].filter(Boolean).join('/');
  return new CliError(`App ${name} not found${where ? ` in ${where}` : ''}.`, 1, 'APP_NOT_FOUND');
}

/** The app in `--json` output: the same keys for `app list` and `app status`. */
function appJson(a: AppSummaryData) {
  return {
    name: a.name,
    namespace: a.namespace,
    project: a.project.name,
    environment: a.environment.name,
    source: jsonEnum(a.source),
    image: a.image,
    gitUrl: a.gitUrl,
    gitBranch: a.gitBranch,
  };
}

interface DeployOptions extends AppRefOptions, WaitFlags {
  name?: string;
  image?: string;
  git?: string;
  branch?: string;
  dockerfile?: string;
  port: number;
  replicas?: number;
  env?: { name: string; value: string }[];
  host?: string;
  deployPolicy?: 'latest' | 'every';
  autoRollback?: boolean;
  watchGit?: boolean;
}

export function registerApp(app: Command, state: RunState): void {
  withOutput(
    app
      .command('list')
      .description('list apps and their current revision')
      .option('-p, --project <project>', 'only apps of this project')
      .option('-e, --environment <environment>', 'only apps of this environment'),
  ).action(
    action(state, async (ctx, opts: { project?: string; environment?: string }) => {
      const client = await ctx.client();
      const data = await client.request(AppsQuery, {
        project: opts.project ?? null,
        environment: opts.environment ?? null,
      });
      if (data.apps.length === 0) {
        ctx.out.line('No apps yet. Deploy one with `kip app deploy --name NAME --image IMAGE --port PORT`.');
      } else {
        for (const line of table(
          ['NAME', 'NAMESPACE', 'SOURCE', 'REVISION', 'STATUS', 'IMAGE'],
          data.apps.map((a) => [
            a.name,
            a.namespace,
            word(a.source),
            a.currentRevision ? `#${a.currentRevision.number}` : '-',
            a.currentRevision ? word(a.currentRevision.status) : 'not deployed',
            a.currentRevision?.image ?? a.image ?? '-',
          ]),
        )) {
          ctx.out.line(line);
        }
      }
      ctx.out.result({
        apps: data.apps.map((a) => ({
          ...appJson(a),
          currentRevision: a.currentRevision ? revisionJson(a.currentRevision) : null,
        })),
      });
    }),
  );

  withWait(
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
          .option('--deploy-policy <policy>', 'latest: skip queued revisions when a newer one arrives; every: deploy each')
          .option('--auto-rollback', 'go back to the last live revision when a rollout fails')
          .option('--watch-git', 'with --git: rebuild when the branch moves'),
      ),
    ),
  ).action(
    action(state, async (ctx, positional: string | undefined, opts: DeployOptions) => {
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
        ...(opts.autoRollback ? { autoRollback: true } : {}),
        ...(opts.watchGit ? { watchGit: true } : {}),
      };
      let created: { name: string; namespace: string; project: string; environment: string; source: string } | undefined;
      const exitCode = await runRevisionFlow(ctx, opts, {
        ref,
        subscribeFirst: false,
        mutate: async () => {
          const data = await client.request(DeployAppMutation, { input });
          const a = data.deployApp;
          created = {
            name: a.name,
            namespace: a.namespace,
            project: a.project.name,
            environment: a.environment.name,
            source: jsonEnum(a.source),
          };
          ref.namespace = a.namespace;
          delete ref.project;
          delete ref.environment;
          ctx.out.success(`App ${a.name} created in ${a.namespace}`);
          ctx.out.line(a.source === 'GIT' ? `Source: ${a.gitUrl} (${a.gitBranch ?? 'main'})` : `Image: ${a.image}`);
          return failIfNull(
            a.revisions.nodes[0],
            `App ${a.name} was created but has no revision yet; see \`kip app status ${a.name} --namespace ${a.namespace}\`.`,
            'NO_REVISION',
          );
        },
        // With --wait the follower prints the revision's state lines, this one included.
        report: (revision) => {
          if (!opts.wait) ctx.out.line(revisionProgress(revision));
        },
        json: () => ({ app: created }),
      });
      return exitCode;
    }),
  );

  withWait(
    withAppRef(
      withOutput(
        app
          .command('update')
          .description('deploy a new image (a manual revision)')
          .argument('<app>', 'app name')
          .requiredOption('--image <image>', 'image reference')
          .option('--commit <sha>', 'commit the image was built from (shown in the history)'),
      ),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: AppRefOptions & WaitFlags & { image: string; commit?: string }) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      return runRevisionFlow(ctx, opts, {
        ref,
        mutate: async () =>
          (await client.request(UpdateImageMutation, { app: ref, image: opts.image, commit: opts.commit ?? null }))
            .updateImage,
        report: (r) => ctx.out.success(`Updating ${name} to ${r.image ?? opts.image} (revision #${r.number})`),
        json: () => ({ app: name }),
      });
    }),
  );

  withAppRef(
    withOutput(
      app.command('status').description('current revision, whether it is live, rollouts').argument('<app>', 'app name'),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: AppRefOptions) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      const a = (await client.request(AppStatusQuery, { app: ref })).app;
      if (!a) throw notFound(name, opts);
      const now = ctx.now();
      const current = a.currentRevision;
      const revisions = a.revisions.nodes;
      const newer = revisions.filter((r) => !current || r.number > current.number);
      const inProgress = newer.filter((r) => r.status === 'QUEUED' || r.status === 'BUILDING' || r.status === 'ROLLING_OUT');
      const newest = revisions[0];
      const lastFailure = newest && newest.status === 'FAILED' ? newest : undefined;

      const rows: [string, string][] = [
        ['App', a.name],
        ['Namespace', `${a.namespace} (project ${a.project.name}, environment ${a.environment.name})`],
        ['Source', a.source === 'GIT' ? `git ${a.gitUrl ?? '-'} (${a.gitBranch ?? 'main'})` : `image ${a.image ?? '-'}`],
        ['Replicas', `${a.replicas}, port ${a.port}`],
      ];
      if (a.host) rows.push(['Host', a.host]);
      rows.push([
        'Current',
        current
          ? `#${current.number} ${current.image ?? '-'} (${shortCommit(current.commit)}, ${word(current.trigger)}), ` +
            `${current.status === 'LIVE' ? 'live' : word(current.status)} since ${relativeTime(current.finishedAt ?? current.createdAt, now)}`
          : 'nothing deployed yet',
      ]);
      for (const r of inProgress) rows.push(['In progress', `${revisionProgress(r)} (${r.image ?? '-'}, ${word(r.trigger)})`]);
      if (lastFailure) rows.push(['Last rollout', `${revisionProgress(lastFailure)} (${relativeTime(lastFailure.createdAt, now)})`]);
      rows.push(['Webhook', a.webhook.enabled ? `enabled (${a.webhook.url})` : `not enabled (kip app webhook enable ${a.name}${refFlags(ref)})`]);
      const width = Math.max(...rows.map(([k]) => k.length)) + 1;
      for (const [k, v] of rows) ctx.out.line(`${`${k}:`.padEnd(width)} ${v}`);

      ctx.out.result({
        app: {
          ...appJson(a),
          port: a.port,
          replicas: a.replicas,
          host: a.host,
        },
        live: current?.status === 'LIVE',
        currentRevision: current ? revisionJson(current) : null,
        inProgress: inProgress.map(revisionJson),
        lastFailure: lastFailure ? revisionJson(lastFailure) : null,
        webhook: a.webhook,
      });
    }),
  );
}
