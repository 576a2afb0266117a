import { Client, Connection } from '@temporalio/client';
import type { Config } from './config';
import { dataConverterFor } from './payload-codec';

export async function connectTemporalClient(config: Config): Promise<Client> {
  const connection = await Connection.connect({ address: config.temporalAddress });
  // Payloads are encrypted on the way out and decrypted on the way in (lib/payload-codec.ts), as in the worker.
  return new Client({ connection, namespace: config.temporalNamespace, dataConverter: dataConverterFor(config) });
}

/** Link to one run in the Temporal Web UI. */
export function workflowUiLink(uiUrl: string, namespace: string, workflowId: string, runId?: string): string {
  const base = `${uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${runId}/history` : base;
}
