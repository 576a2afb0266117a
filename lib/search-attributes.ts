/**
 * Custom search attributes that make our runs findable in the Temporal UI (`BridgeOrg = "acme"`,
 * `BridgeKind = "directory-sync"`). Registered by the stack at server start, or on an existing cluster.
 */
export const searchAttributes = {
  BridgeOrg: 'Keyword',
  BridgeKind: 'Keyword',
} as const;
