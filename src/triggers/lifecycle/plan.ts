/**
 * @module triggers/lifecycle/plan
 * The pure core of the lifecycle: given the connector triggers that should be live and the
 * records kept in the store, what to write. A live trigger version without a record gets a
 * `pending` one (init to do). A `ready` record whose workflow was disabled, deleted or changed
 * becomes `retiring` (destroy to do, with its state). A record whose init never succeeded is
 * dropped: there is nothing to undo.
 *
 * @example
 *   const { save, remove } = planReconcile(desired, records, Date.now(), newId);
 */
import type { TriggerLifecycleRecord } from '../../store/types.js';

/** One connector trigger that should be live: an enabled workflow whose trigger has init/destroy. */
export interface DesiredTrigger {
  workflow: string;
  fingerprint: string;
  spec: LifecycleSpec;
}

/** What init/destroy need, kept with the record: no secrets (`${env:}` as written). */
export interface LifecycleSpec {
  /** `github` or `mailchimp.subscribe`. */
  key: string;
  /** The trigger's params as written in the file. */
  params: Record<string, unknown>;
  connection: string | null;
  webhookUrl: string;
}

export interface Plan {
  save: TriggerLifecycleRecord[];
  remove: string[];
}

export function planReconcile(
  desired: ReadonlyMap<string, DesiredTrigger>,
  records: readonly TriggerLifecycleRecord[],
  nowMs: number,
  newId: () => string,
): Plan {
  const plan: Plan = { save: [], remove: [] };
  const covered = new Set<string>();
  for (const r of records) {
    if (r.status === 'retiring') continue;
    const d = desired.get(r.workflow);
    if (d && d.fingerprint === r.fingerprint && !covered.has(r.workflow)) {
      covered.add(r.workflow);
      continue;
    }
    if (r.status === 'ready') {
      plan.save.push({
        ...r,
        status: 'retiring',
        attempts: 0,
        lastError: null,
        nextAttemptAt: nowMs,
        updatedAt: nowMs,
      });
    } else {
      plan.remove.push(r.id);
    }
  }
  for (const d of desired.values()) {
    if (covered.has(d.workflow)) continue;
    plan.save.push({
      id: newId(),
      workflow: d.workflow,
      fingerprint: d.fingerprint,
      spec: d.spec,
      status: 'pending',
      state: null,
      attempts: 0,
      lastError: null,
      nextAttemptAt: nowMs,
      updatedAt: nowMs,
    });
  }
  return plan;
}

/**
 * The records to act on now, in order: every due destroy first, then the due inits of
 * workflows with no destroy left to do (a changed trigger is torn down before it is set up).
 */
export function dueRecords(
  records: readonly TriggerLifecycleRecord[],
  nowMs: number,
): TriggerLifecycleRecord[] {
  const retiring = records.filter((r) => r.status === 'retiring');
  const blocked = new Set(retiring.map((r) => r.workflow));
  const due = (r: TriggerLifecycleRecord): boolean =>
    r.nextAttemptAt !== null && r.nextAttemptAt <= nowMs;
  return [
    ...retiring.filter(due),
    ...records.filter((r) => r.status === 'pending' && !blocked.has(r.workflow) && due(r)),
  ];
}

/** When the next try is due, or null when there is none. */
export function nextWake(records: readonly TriggerLifecycleRecord[]): number | null {
  let next: number | null = null;
  for (const r of records) {
    if ((r.status === 'pending' || r.status === 'retiring') && r.nextAttemptAt !== null) {
      next = next === null ? r.nextAttemptAt : Math.min(next, r.nextAttemptAt);
    }
  }
  return next;
}

/** Doubling waits from `baseMs`, capped at 5 minutes: 1 s, 2 s, 4 s… */
export function backoffDelay(attempts: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 300_000);
}
