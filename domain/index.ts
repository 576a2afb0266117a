// Everything in domain/ that is safe inside the Temporal workflow sandbox. content-hash.ts is deliberately
// left out (it needs node:crypto): import it directly from activities.
export * from './canonical-json';
export * from './cic-user';
export * from './pairing-rules';
export * from './phone';
export * from './presence-mapping';
export * from './scim-patch';
export * from './user-diff';
export * from './user-mapping';
