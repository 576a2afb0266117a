#!/usr/bin/env node
// The installed `bridge` command: runs the TypeScript CLI through tsx, no build step. The ESM hook is for
// the dynamic import() of migrations/*.ts by Kysely's migrator (the CommonJS hook alone cannot load them).
require('tsx/esm/api').register();
require('tsx/cjs');
require('../cli/bridge.ts');
