import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleWorkflows } from '../../workers/temporal-worker';
import { installTemporalRuntime } from '../../workers/temporal-runtime';
import { loadRecordedHistories, payloadTexts } from '../support/histories';

// Histories recorded from earlier workflow code (`npm run record-histories`). A change that alters the command
// sequence of a running workflow must go behind patched() so that these still replay.
const histories = loadRecordedHistories();
let workflowBundle: WorkflowBundleWithSourceMap;

before(async () => {
  installTemporalRuntime('warn');
  workflowBundle = await bundleWorkflows();
});

test('recorded histories of every long-lived workflow replay on today’s workflow code', async () => {
  const kinds = new Set(histories.map((h) => h.workflowType));
  for (const kind of ['directorySyncWorkflow', 'cicWatchWorkflow', 'accountLinkingWorkflow', 'plumbingCheckWorkflow', 'conduitExportWorkflow']) {
    assert.ok(kinds.has(kind), `a recorded history of ${kind}`);
  }
  const continued = histories.some((h) =>
    h.parsed.events?.some((e) => e.workflowExecutionContinuedAsNewEventAttributes),
  );
  assert.ok(continued, 'a history that ends in continue-as-new');

  const results = Worker.runReplayHistories(
    { workflowBundle, replayName: 'recorded-histories' },
    histories.map((h) => ({ workflowId: h.workflowId, history: h.parsed })),
  );
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of results) {
    const file = histories[replayed++].file;
    if (result.error) failures.push(`${file} (run ${result.runId}): ${result.error.message}`);
  }
  assert.equal(replayed, histories.length);
  assert.deepEqual(failures, [], 'workflow code no longer matches these histories: put the change behind patched()');
});

test('recorded histories hold no secret of the simulators’ pairing', () => {
  for (const h of histories) {
    const text = JSON.stringify(h.history) + payloadTexts(h.history).join('\n');
    for (const secret of ['demo-secret', 'admin-pass']) {
      assert.ok(!text.includes(secret), `${h.file} holds '${secret}'`);
    }
    assert.ok(payloadTexts(h.history).some((t) => t.includes('"')), `${h.file}: payloads decoded`);
  }
});
