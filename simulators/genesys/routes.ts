import { postConduitEvents } from './conduit';
import type { ErrorStyle } from './http';
import {
  deleteIdentityProvider,
  getIdentityProvider,
  listIdentityProviders,
  putIdentityProvider,
} from './identity-providers';
import { getWelcome, postAcs, postToken } from './login';
import { getMe, getOrganization } from './org';
import { getOrgLogin, getOrgSso } from './sp-initiated';
import {
  createSource,
  getBulkPresences,
  getDefinition,
  getPrimarySource,
  getSource,
  getUserPresence,
  listDefinitions,
  listSources,
  listSystemPresences,
  patchUserPresence,
  putBulkPresences,
} from './presence';
import { Router, type Handler } from './router';
import {
  getResourceType,
  getSchema,
  getServiceProviderConfig,
  listResourceTypes,
  listSchemas,
} from './scim-discovery';
import { getGroup, listGroups, patchGroup, replaceGroup } from './scim-groups';
import { createUser, deleteUser, getUser, listUsers, patchUser, replaceUser } from './scim-users';

const SCIM = '/api/v2/scim/v2';

export function apiRouter(): Router {
  const r = new Router();
  const api = (method: string, template: string, handler: Handler, style: ErrorStyle = 'genesys') =>
    r.add({ method, template, style, auth: true, handler });
  const scim = (method: string, path: string, handler: Handler) => api(method, SCIM + path, handler, 'scim');

  scim('GET', '/users', listUsers);
  scim('POST', '/users', createUser);
  scim('GET', '/users/{id}', getUser);
  scim('PUT', '/users/{id}', replaceUser);
  scim('PATCH', '/users/{id}', patchUser);
  scim('DELETE', '/users/{id}', deleteUser);
  scim('GET', '/groups', listGroups);
  scim('GET', '/groups/{id}', getGroup);
  scim('PUT', '/groups/{id}', replaceGroup);
  scim('PATCH', '/groups/{id}', patchGroup);
  scim('GET', '/schemas', listSchemas);
  scim('GET', '/schemas/{id}', getSchema);
  scim('GET', '/resourcetypes', listResourceTypes);
  scim('GET', '/resourcetypes/{id}', getResourceType);
  scim('GET', '/serviceproviderconfig', getServiceProviderConfig);

  api('GET', '/api/v2/organizations/me', getOrganization);
  api('GET', '/api/v2/users/me', getMe);

  api('GET', '/api/v2/presence/definitions', listDefinitions);
  api('GET', '/api/v2/presence/definitions/{definitionId}', getDefinition);
  api('GET', '/api/v2/systempresences', listSystemPresences);
  api('GET', '/api/v2/presence/sources', listSources);
  api('POST', '/api/v2/presence/sources', createSource);
  api('GET', '/api/v2/presence/sources/{sourceId}', getSource);
  api('GET', '/api/v2/presence/users/{userId}/primarysource', getPrimarySource);
  api('PUT', '/api/v2/users/presences/bulk', putBulkPresences);
  api('GET', '/api/v2/users/presences/{sourceId}/bulk', getBulkPresences);
  api('GET', '/api/v2/users/{userId}/presences/{sourceId}', getUserPresence);
  api('PATCH', '/api/v2/users/{userId}/presences/{sourceId}', patchUserPresence);

  api('POST', '/api/v2/conduit/events', postConduitEvents);

  api('GET', '/api/v2/identityproviders', listIdentityProviders);
  for (const type of ['generic', 'cic']) {
    api('GET', `/api/v2/identityproviders/${type}`, getIdentityProvider);
    api('PUT', `/api/v2/identityproviders/${type}`, putIdentityProvider);
    api('DELETE', `/api/v2/identityproviders/${type}`, deleteIdentityProvider);
  }
  return r;
}

export function loginRouter(): Router {
  const r = new Router();
  r.add({ method: 'POST', template: '/oauth/token', style: 'oauth', auth: false, handler: postToken });
  r.add({ method: 'POST', template: '/saml', style: 'genesys', auth: false, handler: postAcs });
  r.add({ method: 'GET', template: '/saml/welcome', style: 'genesys', auth: false, handler: getWelcome });
  r.add({ method: 'GET', template: '/authenticate-adv/org/{org}', style: 'genesys', auth: false, handler: getOrgLogin });
  r.add({ method: 'GET', template: '/authenticate-adv/org/{org}/sso/{type}', style: 'genesys', auth: false, handler: getOrgSso });
  return r;
}
