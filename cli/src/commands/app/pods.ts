import { AppPodsQuery, podStatus } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { appNotFound } from '../../errors.js';
import { appRef, withAppRef, withOutput, type AppRefOptions } from '../../options.js';
import { podTable } from '../../runtime-format.js';

/** `kip app pods APP`: the pods that run the app now, as the cluster reports them. */
export function appPodsCommand(app: Command, state: RunState): Command {
  return withAppRef(withOutput(app.command('pods').description('pods running the app: ready, status, restarts').argument('<app>', 'app name'))).action(
    action(state, async (ctx, name: string, opts: AppRefOptions) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      const a = (await client.request(AppPodsQuery, { app: ref })).app;
      if (!a) throw appNotFound(name, opts);
      if (a.pods.length === 0) ctx.out.line(`No pods of ${a.name} run in ${a.namespace}.`);
      else for (const line of podTable(a.pods, ctx.now())) ctx.out.line(line);
      ctx.out.result({
        app: a.name,
        namespace: a.namespace,
        pods: a.pods.map((p) => ({ name: p.name, ready: p.ready, status: podStatus(p), phase: p.phase, restarts: p.restarts, startedAt: p.startedAt, image: p.image, node: p.node })),
      });
    }),
  );
}
