import { ApiError, send, type Ctx } from './http';

export function getOrganization(ctx: Ctx): void {
  const { org } = ctx.state;
  send(ctx, 200, {
    id: org.id,
    name: org.name,
    thirdPartyOrgName: org.thirdPartyOrgName,
    defaultLanguage: 'en-us',
    state: 'active',
    selfUri: `/api/v2/organizations/${org.id}`,
  });
}

/** Only user-context tokens (SAML2-bearer grant) have a "me"; client-credentials tokens are refused. */
export function getMe(ctx: Ctx): void {
  const userId = ctx.token?.userId;
  if (!userId) {
    throw new ApiError(
      400,
      'This request requires a user context. Client credentials cannot be used for requests to this resource.',
      {
        code: 'bad.request',
      },
    );
  }
  const user = ctx.state.directory.users.get(userId);
  if (!user) throw new ApiError(404, `User ${userId} not found.`);
  send(ctx, 200, {
    id: user.id,
    name: user.doc.displayName,
    email: user.doc.userName,
    state: user.doc.active ? 'active' : 'inactive',
    selfUri: `/api/v2/users/${user.id}`,
  });
}
