import { RevisionDiffQuery, type RevisionDiffView } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { appNotFound } from '../../errors.js';
import { jsonEnum } from '../../format.js';
import { appRef, parseIntOption, withAppRef, withOutput, type AppRefOptions } from '../../options.js';

interface DiffOptions extends AppRefOptions {
  from?: number;
  to?: number;
}

function changeText<T>(c: { from: T | null; to: T | null; changed: boolean }, show: (v: T | null) => string = (v) => (v === null ? '-' : String(v))): string {
  return c.changed ? `${show(c.from)} → ${show(c.to)}` : `${show(c.to)} (unchanged)`;
}

/** The diff as lines for people; secret values are never part of it. */
export function diffLines(name: string, d: RevisionDiffView): string[] {
  const lines = [`${name}: revision #${d.from.number} → #${d.to.number}`];
  lines.push(`Image:    ${changeText(d.image)}`);
  const commit = changeText(d.commit);
  const link = d.commit.changed ? d.commit.toUrl : null;
  lines.push(`Commit:   ${commit}${link ? `  ${link}` : ''}`);
  if (!d.settingsKnown) {
    const old = [d.from, d.to].filter((r) => r).map((r) => `#${r.number}`).join(' or ');
    lines.push(`Settings: unknown (${old} was recorded before Kipper kept settings)`);
    return lines;
  }
  lines.push(`Port:     ${changeText(d.port)}`);
  lines.push(`Replicas: ${changeText(d.replicas)}`);
  lines.push(`Host:     ${changeText(d.host)}`);
  const env = [
    ...d.env.added.map((e) => `  + ${e.secret ? `${e.name} (secret)` : `${e.name}=${e.value ?? ''}`}`),
    ...d.env.removed.map((e) => `  - ${e.name}${e.secret ? ' (secret)' : ''}`),
    ...d.env.changed.map((e) => `  ~ ${e.secret ? `${e.name} (secret, value changed)` : `${e.name}: ${e.from ?? ''} → ${e.to ?? ''}`}`),
  ];
  lines.push(env.length ? 'Env:' : 'Env:      (unchanged)', ...env);
  return lines;
}

/** `kip app diff APP [--from N] [--to M]`: by default the previous live revision against the current one. */
export function appDiffCommand(app: Command, state: RunState): Command {
  return withAppRef(
    withOutput(
      app
        .command('diff')
        .description('compare two revisions (image, env, port, …)')
        .argument('<app>', 'app name')
        .option('--from <n>', 'revision to compare from (default: the live one before --to)', parseIntOption('--from', 1))
        .option('--to <n>', 'revision to compare to (default: the current one)', parseIntOption('--to', 1)),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: DiffOptions) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      const found = (await client.request(RevisionDiffQuery, { app: ref, from: opts.from ?? null, to: opts.to ?? null })).app;
      if (!found) throw appNotFound(name, ref);
      const d = found.revisionDiff;
      for (const line of diffLines(name, d)) ctx.out.line(line);
      ctx.out.result({
        app: name,
        namespace: found.namespace,
        from: { ...d.from, trigger: jsonEnum(d.from.trigger), status: jsonEnum(d.from.status) },
        to: { ...d.to, trigger: jsonEnum(d.to.trigger), status: jsonEnum(d.to.status) },
        image: d.image,
        commit: d.commit,
        settingsKnown: d.settingsKnown,
        env: d.env,
        port: d.port,
        replicas: d.replicas,
        host: d.host,
      });
    }),
  );
}
