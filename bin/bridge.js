#!/usr/bin/env node
// The installed `bridge` command: runs the TypeScript CLI through tsx, no build step.
require('tsx/cjs');
require('../cli/bridge.ts');
