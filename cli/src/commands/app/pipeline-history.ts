import { PipelineHistoryQuery, PromotionTargetQuery } from '@kipper/client';
import type { Context } from '../../action.js';
import { appNotFound } from '../../errors.js';
import { promotedFromCell, revisionJson, revisionMarker, shortDigest, table } from '../../format.js';
import type { AppRef } from '../../options.js';

/**
 * `kip app history --all-environments APP`: one app's revisions in every environment of its
 * project, side by side in pipeline order, newest first; a promoted revision names where it
 * came from (`← test #12`), so a change can be followed through the pipeline.
 */
export async function printPipelineHistory(ctx: Context, ref: AppRef, limit: number): Promise<void> {
  const client = await ctx.client();
  let project = ref.project;
  if (!project) {
    const found = (await client.request(PromotionTargetQuery, { app: ref })).app;
    if (!found) throw appNotFound(ref.name, ref);
    project = found.project.name;
  }
  const data = await client.request(PipelineHistoryQuery, { project, name: ref.name, first: limit });
  if (!data.project || data.apps.length === 0) throw appNotFound(ref.name, { project });
  const environments = [...data.project.environments].sort((a, b) => a.position - b.position);
  const columns = environments.map((env) => ({ env, app: data.apps.find((a) => a.environment.name === env.name) ?? null }));
  const depth = Math.max(...columns.map((c) => c.app?.revisions.nodes.length ?? 0));
  const rows: string[][] = [];
  for (let i = 0; i < depth; i++) {
    rows.push(
      columns.map(({ app }) => {
        const r = app?.revisions.nodes[i];
        if (!r) return i === 0 && !app ? '(no app)' : '';
        const from = r.promotedFrom ? ` ← ${promotedFromCell(r)}` : '';
        return `#${r.number} ${r.imageTag ?? r.image ?? '-'} ${shortDigest(r.digest)}${from}${revisionMarker(r)}`;
      }),
    );
  }
  for (const line of table(environments.map((e) => e.name.toUpperCase()), rows)) ctx.out.line(line);
  ctx.out.result({
    app: ref.name,
    project,
    environments: columns.map(({ env, app }) => ({ environment: env.name, namespace: app?.namespace ?? null, revisions: app ? app.revisions.nodes.map(revisionJson) : [] })),
  });
}
