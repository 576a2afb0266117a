import { z } from 'zod';
import { queueTypes } from './events';
import { icwsError, readJson, sendJson, sessionRoute, type SessionRoute } from './http';
import { subscribe, unsubscribe } from './messaging';
import type { IcwsServer } from './server';
import { QueueSubscription } from './subscriptions';

const queueSubscriptionRequest = z.object({
  queueIds: z
    .array(z.object({ queueType: z.number().int().min(0).max(3), queueName: z.string().min(1) }))
    .min(1),
  attributeNames: z.array(z.string().min(1)).min(1),
  rightsFilter: z.enum(['view', 'admin']).optional(),
});

/** Queue watches and ad hoc attribute reads: how a client sees interactions. */
export function queueRoutes(server: IcwsServer): SessionRoute[] {
  const { directory, interactions } = server.deps;
  return [
    sessionRoute('PUT', '/messaging/subscriptions/queues/{subscriptionId}', async (ctx) => {
      const body = await readJson(ctx.req, queueSubscriptionRequest);
      const unknownUser = body.queueIds.find(
        (q) => q.queueType === queueTypes.user && !directory.get(q.queueName),
      );
      if (unknownUser) {
        throw icwsError(
          400,
          'error.request.invalidRepresentation.invalidProperty',
          `User queue ${unknownUser.queueName} does not exist.`,
          {
            propertyName: 'queueIds',
          },
        );
      }
      subscribe(
        ctx.session,
        new QueueSubscription(ctx.params[0], body.queueIds, body.attributeNames, interactions),
      );
      sendJson(ctx.res, 204, undefined);
    }),
    sessionRoute('DELETE', '/messaging/subscriptions/queues/{subscriptionId}', (ctx) =>
      unsubscribe(ctx, `queues/${ctx.params[0]}`),
    ),
    sessionRoute('GET', '/interactions/{interactionId}', ({ res, url, params }) => {
      const interaction = interactions.get(params[0]);
      if (!interaction)
        throw icwsError(404, 'error.request.notFound', `Interaction ${params[0]} does not exist.`);
      const wanted = (url.searchParams.get('select') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const byLower = new Map(Object.entries(interaction.attributes).map(([k, v]) => [k.toLowerCase(), v]));
      const attributes = Object.fromEntries(
        wanted.map((name) => [name, byLower.get(name.toLowerCase()) ?? '']),
      );
      sendJson(res, 200, { interactionId: interaction.id, attributes });
    }),
  ];
}
