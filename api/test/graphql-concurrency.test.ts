import type { GraphQLRequestContext, GraphQLRequestListener } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { concurrencyLimitPlugin } from '../src/graphql/concurrency.js';

/** GraphQL operations beyond KIPPER_GRAPHQL_CONCURRENCY wait for a running one to answer. */

type Listener = GraphQLRequestListener<Record<string, never>>;
const context = {} as GraphQLRequestContext<Record<string, never>>;

async function start(plugin: ReturnType<typeof concurrencyLimitPlugin>): Promise<Listener> {
  return (await plugin.requestDidStart!(context as never)) as Listener;
}

describe('the GraphQL concurrency limit', () => {
  it('lets `limit` operations run and queues the next until one has answered', async () => {
    const plugin = concurrencyLimitPlugin(2);
    const [a, b, c] = await Promise.all([start(plugin), start(plugin), start(plugin)]);
    const order: string[] = [];
    const run = (name: string, listener: Listener) => listener.didResolveOperation!(context as never).then(() => order.push(`${name} runs`));
    const running = [run('a', a!), run('b', b!), run('c', c!)];
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual(['a runs', 'b runs']);
    await b!.willSendResponse!(context as never);
    await running[2];
    expect(order).toEqual(['a runs', 'b runs', 'c runs']);
    // Answering twice (an error after the response, say) gives back one slot, not two.
    await b!.willSendResponse!(context as never);
    const [d, e] = await Promise.all([start(plugin), start(plugin)]);
    const more = [run('d', d!), run('e', e!)];
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual(['a runs', 'b runs', 'c runs']);
    await a!.willSendResponse!(context as never);
    await Promise.race(more);
    expect(order).toHaveLength(4);
  });
});
