import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';

/** Recorded workflow histories that the replay test runs against today's workflow code. */
export const historiesDir = join(__dirname, '..', 'workflows', 'histories');

/**
 * One file per recorded run: the history as `temporal workflow show --output json` writes it, plus the
 * workflow id (replay gives it to the workflow, and the history does not hold it) and where it came from.
 */
export interface RecordedHistory {
  workflowId: string;
  workflowType: string;
  /** The commit whose workflow code produced the history, and what the run went through. */
  recordedFrom: string;
  scenario: string;
  history: unknown;
}

export function loadRecordedHistories(): (RecordedHistory & { file: string; parsed: temporal.api.history.v1.IHistory })[] {
  return readdirSync(historiesDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const recorded = JSON.parse(readFileSync(join(historiesDir, file), 'utf8')) as RecordedHistory;
      return { ...recorded, file, parsed: historyFromJSON(recorded.history) };
    });
}

/** Every payload of a history, decoded to text (payloads are base64 in the JSON), to search for what must not be there. */
export function payloadTexts(history: unknown): string[] {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (typeof o.data === 'string' && o.metadata && typeof o.metadata === 'object') {
      texts.push(Buffer.from(o.data, 'base64').toString('utf8'));
    }
    Object.values(o).forEach(walk);
  };
  walk(history);
  return texts;
}
