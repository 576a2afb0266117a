import { z } from 'zod';
import { icwsError, readJson, sendJson, sessionRoute, type SessionRequest, type SessionRoute } from './http';
import type { IcwsServer } from './server';
import type { Subscription } from './session';
import { StatusMessagesSubscription, UserStatusSubscription, UsersSubscription } from './subscriptions';
import { parseProperties } from './user-query';

const usersSubscriptionRequest = z.object({
  configurationIds: z.array(z.string().min(1)).min(1),
  properties: z.array(z.string().min(1)).min(1),
  rightsFilter: z.enum(['view', 'admin']).optional(),
});

const userStatusSubscriptionRequest = z.object({ userIds: z.array(z.string().min(1)) });

/** Replacing a subscription restarts it: the new one opens with a full (isDelta false) message. */
export function subscribe(session: SessionRequest['session'], subscription: Subscription): void {
  session.subscriptions.set(subscription.key, subscription);
  session.push(subscription.initialMessage());
}

export function unsubscribe({ res, session }: SessionRequest, key: string): void {
  if (!session.subscriptions.delete(key))
    throw icwsError(404, 'error.request.notFound', `No subscription ${key}.`);
  sendJson(res, 204, undefined);
}

/**
 * Message retrieval (short poll, or server-sent events when the client accepts `text/event-stream`) and the
 * user and status subscriptions; queue subscriptions are in queues.ts.
 */
export function messagingRoutes(server: IcwsServer): SessionRoute[] {
  const { directory } = server.deps;
  return [
    sessionRoute('GET', '/messaging/messages', ({ req, res, session }) => {
      if ((req.headers.accept ?? '').includes('text/event-stream')) session.attachStream(res);
      else sendJson(res, 200, session.drain());
    }),
    sessionRoute('PUT', '/messaging/subscriptions/configuration/users/{subscriptionId}', async (ctx) => {
      const body = await readJson(ctx.req, usersSubscriptionRequest);
      const allIds = body.configurationIds.includes('*');
      if (allIds && body.properties.includes('*')) {
        throw icwsError(
          400,
          'error.request.invalidRepresentation.invalidProperty',
          "'*' cannot be used for both configurationIds and properties.",
          {
            propertyName: 'properties',
          },
        );
      }
      const ids = allIds ? '*' : new Set(body.configurationIds.map((id) => id.toLowerCase()));
      subscribe(
        ctx.session,
        new UsersSubscription(ctx.params[0], ids, parseProperties(body.properties), directory),
      );
      sendJson(ctx.res, 204, undefined);
    }),
    sessionRoute('DELETE', '/messaging/subscriptions/configuration/users/{subscriptionId}', (ctx) =>
      unsubscribe(ctx, `configuration/users/${ctx.params[0]}`),
    ),
    sessionRoute('PUT', '/messaging/subscriptions/status/user-statuses', async (ctx) => {
      const body = await readJson(ctx.req, userStatusSubscriptionRequest);
      subscribe(
        ctx.session,
        new UserStatusSubscription(new Set(body.userIds.map((id) => id.toLowerCase())), directory),
      );
      sendJson(ctx.res, 204, undefined);
    }),
    sessionRoute('DELETE', '/messaging/subscriptions/status/user-statuses', (ctx) =>
      unsubscribe(ctx, 'status/user-statuses'),
    ),
    sessionRoute('PUT', '/messaging/subscriptions/status/status-messages', (ctx) => {
      subscribe(ctx.session, new StatusMessagesSubscription(directory));
      sendJson(ctx.res, 204, undefined);
    }),
    sessionRoute('DELETE', '/messaging/subscriptions/status/status-messages', (ctx) =>
      unsubscribe(ctx, 'status/status-messages'),
    ),
  ];
}
