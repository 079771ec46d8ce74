/**
 * @module workflow/set-example
 * Sets `trigger.webhook.example` in a workflow document's text, keeping the rest as the user
 * wrote it (pure). YAML goes through the `yaml` package's Document, so comments, key order and
 * quoting stay; the maps the example goes into become block style, so a large example reads as
 * YAML rather than one long line. A JSON document stays JSON (2-space indent).
 *
 * @example
 *   setTriggerExample('name: orders # mine\ntrigger:\n  webhook: {path: orders}\n', { id: 1 });
 *   // 'name: orders # mine\ntrigger:\n  webhook:\n    path: orders\n    example:\n      id: 1\n'
 */
import { isMap, parseDocument } from 'yaml';
import { HookflowError } from '../errors.js';

export function setTriggerExample(
  text: string,
  example: unknown,
): { text: string; format: 'yaml' | 'json' } {
  const json = parseJsonObject(text);
  if (json) {
    const trigger = (json.trigger ??= {}) as Record<string, unknown>;
    const webhook = trigger.webhook;
    trigger.webhook = { ...(isRecord(webhook) ? webhook : {}), example };
    return { text: `${JSON.stringify(json, null, 2)}\n`, format: 'json' };
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new HookflowError(
      'invalid_workflow',
      `the workflow's document is not valid YAML: ${doc.errors[0]!.message}`,
    );
  }
  const trigger = doc.get('trigger', true);
  if (!isMap(trigger) || !trigger.has('webhook')) {
    throw new HookflowError(
      'conflict',
      'only a webhook trigger has an example to set (trigger.webhook.example)',
    );
  }
  const webhook = trigger.get('webhook', true);
  if (!isMap(webhook)) doc.setIn(['trigger', 'webhook'], doc.createNode({}));
  doc.setIn(['trigger', 'webhook', 'example'], doc.createNode(example));
  for (const node of [doc.get('trigger', true), doc.getIn(['trigger', 'webhook'], true)]) {
    if (isMap(node)) node.flow = false;
  }
  return { text: doc.toString({ lineWidth: 0 }), format: 'yaml' };
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  if (!/^\s*\{/.test(text)) return null;
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : null;
  } catch {
    return null; // a YAML flow mapping, not JSON
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
