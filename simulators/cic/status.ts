import { z } from 'zod';
import { icwsError, readJson, sendJson, sessionRoute, type SessionRoute } from './http';
import type { IcwsServer } from './server';
import { pureCloudAdminId } from './user-record';

const setStatusRequest = z.object({
  statusId: z.string().min(1),
  notes: z.string().optional(),
  forwardNumber: z.string().optional(),
});

/**
 * The status catalog and per-user statuses. Setting a status follows the client rules: only selectable
 * statuses (not the system's `AcdAgentNotAnswering`), and only one's own unless one is PureCloudAdmin; the admin
 * API can set anything.
 */
export function statusRoutes(server: IcwsServer): SessionRoute[] {
  const { directory } = server.deps;
  return [
    sessionRoute('GET', '/status/status-messages', ({ res }) =>
      sendJson(res, 200, { statusMessageList: directory.statusMessages() }),
    ),
    sessionRoute('GET', '/status/user-statuses/{userId}', ({ res, params }) => {
      const status = directory.getStatus(params[0]);
      if (!status) throw icwsError(404, 'error.request.notFound', `User ${params[0]} does not exist.`);
      sendJson(res, 200, status);
    }),
    sessionRoute('PUT', '/status/user-statuses/{userId}', async ({ req, res, params, session }) => {
      const body = await readJson(req, setStatusRequest);
      const target = directory.get(params[0]);
      if (!target) throw icwsError(404, 'error.request.notFound', `User ${params[0]} does not exist.`);
      const self = session.info.userId.toLowerCase();
      if (self !== target.configurationId.id.toLowerCase() && self !== pureCloudAdminId.toLowerCase()) {
        throw icwsError(403, 'error.request.accessDenied', `You may not change the status of ${params[0]}.`, {
          errorCode: 7,
        });
      }
      const status = directory.findStatusMessage(body.statusId);
      if (!status || !status.isSelectableStatus) {
        throw icwsError(
          400,
          'error.request.invalidRepresentation.invalidProperty',
          `Status '${body.statusId}' cannot be set.`,
          {
            propertyName: 'statusId',
          },
        );
      }
      directory.setStatus(target.configurationId.id, { statusId: body.statusId });
      sendJson(res, 202, undefined);
    }),
  ];
}
