/**
 * The daily support check over a clock that moves a day at a time: one "EKS Cluster Support
 * Ending" event per threshold (90, 30, 7 days), never twice — across repeated runs, a restart (a
 * fresh check over the same records) and a failed PutEvents.
 */
import { describe, expect, it } from 'vitest';
import { dueReminder, supportOf } from '../../../functions/lib/support/support-window.js';
import {
  checkSupport,
  type SupportCheckDeps,
  type SupportEndingDetail,
  type SupportRecord,
} from '../../../functions/support-check/support-check.js';

const STD_END = '2027-03-23T00:00:00.000Z';
const EXT_END = '2028-03-23T00:00:00.000Z';
const DAY = 86_400_000;
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLEsessionTOKENvalue1234567890abcdefABCDEF';
/** What AWS answers a mis-signed call: the canonical request, the Lambda's own session token header in it. */
const signatureMismatch = () =>
  Object.assign(
    new Error(
      `The request signature we calculated does not match the signature you provided. The Canonical String for this request should have been 'POST\n/\n\nhost:dynamodb.us-east-1.amazonaws.com\nx-amz-security-token:${SESSION_TOKEN}\n' Credential=ASIAEXAMPLEEXAMPLE12/20261206/us-east-1/dynamodb/aws4_request`,
    ),
    { name: 'InvalidSignatureException' },
  );

function cluster(over: Partial<SupportRecord['settings']> = {}): SupportRecord {
  return {
    id: 'c-a',
    tenantId: 't1',
    name: 'demo',
    environmentScope: '*',
    accountId: '222222222222',
    region: 'us-east-1',
    status: 'CREATED',
    phase: 'Ready',
    progress: { done: 1, total: 1 },
    settings: { kubernetesVersion: '1.32', ...over } as SupportRecord['settings'],
    createdAt: '',
    updatedAt: '',
  };
}

/** The table's part the check touches: records with a sent set, claimed conditionally. */
function world(records: SupportRecord[], clock: { now: Date }, failPublish = () => false) {
  const sent = new Map<string, Set<string>>();
  const events: SupportEndingDetail[] = [];
  const deps = (): SupportCheckDeps => ({
    createdClusters: async () => records.map((r) => ({ ...r, supportRemindersSent: [...(sent.get(r.id) ?? [])] })),
    versionDates: async () => ({ standardSupportEndsAt: STD_END, extendedSupportEndsAt: EXT_END }),
    saveDates: async () => undefined,
    claimReminder: async (r, keys) => {
      const s = sent.get(r.id) ?? new Set<string>();
      if (keys.some((k) => s.has(k))) return false;
      for (const k of keys) s.add(k);
      sent.set(r.id, s);
      return true;
    },
    releaseReminder: async (r, keys) => {
      for (const k of keys) sent.get(r.id)?.delete(k);
    },
    publish: async (d) => {
      if (failPublish()) throw new Error('EventBridge refused the event');
      events.push(d);
    },
    now: () => clock.now,
  });
  return { deps, events, sent };
}

describe('support window', () => {
  it('STANDARD policy: days left until standard support ends, warning under 90 days', () => {
    const s = supportOf(
      'STANDARD',
      { kubernetesVersion: '1.32', standardSupportEndsAt: STD_END, extendedSupportEndsAt: EXT_END, checkedAt: '' },
      new Date(Date.parse(STD_END) - 45 * DAY),
    );
    expect(s).toMatchObject({
      type: 'STANDARD',
      upgradePolicy: 'STANDARD',
      upgradePolicyAssumed: false,
      daysLeft: 45,
      standardSupportEndsAt: STD_END,
    });
    expect(s.warning).toMatch(/upgrades the control plane automatically/);
  });

  it('no upgradePolicy on the record → AWS default EXTENDED, said in the view; in extended support it counts to its end', () => {
    const s = supportOf(
      undefined,
      { kubernetesVersion: '1.32', standardSupportEndsAt: STD_END, extendedSupportEndsAt: EXT_END, checkedAt: '' },
      new Date(Date.parse(EXT_END) - 10 * DAY),
    );
    expect(s).toMatchObject({ type: 'EXTENDED', upgradePolicy: 'EXTENDED', upgradePolicyAssumed: true, daysLeft: 10 });
    expect(s.warning).toMatch(/default, EXTENDED/);
  });

  it('no warning with 90 days or more left', () => {
    expect(
      supportOf(
        'STANDARD',
        { kubernetesVersion: '1.32', standardSupportEndsAt: STD_END, checkedAt: '' },
        new Date(Date.parse(STD_END) - 90 * DAY),
      ).warning,
    ).toBeUndefined();
  });

  it('a check that starts late sends the tightest reminder once and settles the wider ones', () => {
    const s = supportOf(
      'STANDARD',
      { kubernetesVersion: '1.32', standardSupportEndsAt: STD_END, checkedAt: '' },
      new Date(Date.parse(STD_END) - 20 * DAY),
    );
    expect(dueReminder(s, [])).toEqual({ days: 30, keys: [`${STD_END}#90`, `${STD_END}#30`], endsAt: STD_END });
    expect(dueReminder(s, [`${STD_END}#90`, `${STD_END}#30`])).toBeUndefined();
  });
});

describe('daily support check', () => {
  it('fires once per threshold over 100 days, run twice a day and restarted midway', async () => {
    const clock = { now: new Date(Date.parse(STD_END) - 100 * DAY + 3_600_000) };
    const w = world([cluster({ upgradePolicy: 'STANDARD' } as never)], clock);
    for (let day = 0; day < 100; day++) {
      await checkSupport(w.deps()); // the daily run
      await checkSupport(w.deps()); // a retry / a restarted stack running it again
      clock.now = new Date(clock.now.getTime() + DAY);
    }
    expect(w.events.map((e) => e.thresholdDays)).toEqual([90, 30, 7]);
    expect(w.events[0]).toMatchObject({
      clusterId: 'c-a',
      tenantId: 't1',
      kubernetesVersion: '1.32',
      support: { type: 'STANDARD', daysLeft: 90 },
    });
  });

  it('a refused PutEvents gives the claim back: the next run sends it, still once', async () => {
    const clock = { now: new Date(Date.parse(STD_END) - 29 * DAY) };
    let fail = true;
    const w = world([cluster({ upgradePolicy: 'STANDARD' } as never)], clock, () => fail);
    const first = await checkSupport(w.deps());
    expect(first[0]!.action).toBe('error');
    expect(w.events).toHaveLength(0);
    fail = false;
    await checkSupport(w.deps());
    await checkSupport(w.deps());
    expect(w.events.map((e) => e.thresholdDays)).toEqual([30]);
  });

  it('an error outcome (logged by the handler) names the error without the secrets in its message', async () => {
    const clock = { now: new Date(Date.parse(STD_END) - 29 * DAY) };
    const w = world([cluster({ upgradePolicy: 'STANDARD' } as never)], clock);
    const out = await checkSupport({ ...w.deps(), versionDates: async () => Promise.reject(signatureMismatch()) });
    expect(out[0]).toMatchObject({
      action: 'error',
      detail: expect.stringMatching(/^InvalidSignatureException: The request signature/),
    });
    expect(JSON.stringify(out)).not.toContain(SESSION_TOKEN);
    expect(JSON.stringify(out)).not.toContain('ASIAEXAMPLEEXAMPLE12');
  });

  it('two checks racing over the same record: one event', async () => {
    const clock = { now: new Date(Date.parse(STD_END) - 6 * DAY) };
    const w = world([cluster({ upgradePolicy: 'STANDARD' } as never)], clock);
    await Promise.all([checkSupport(w.deps()), checkSupport(w.deps())]);
    expect(w.events.map((e) => e.thresholdDays)).toEqual([7]);
  });
});

describe('cluster view', () => {
  it('a CREATED record with stored dates shows support with days left and the warning; without dates, no support field', async () => {
    const { clusterView } = await import('../../../functions/api/clusters/cluster-view.js');
    const r = {
      ...cluster(),
      supportDates: {
        kubernetesVersion: '1.32',
        standardSupportEndsAt: STD_END,
        extendedSupportEndsAt: EXT_END,
        checkedAt: STD_END,
      },
    };
    const v = clusterView(r, new Date(Date.parse(STD_END) - 30 * DAY));
    expect(v.support).toMatchObject({
      type: 'STANDARD',
      upgradePolicy: 'EXTENDED',
      upgradePolicyAssumed: true,
      daysLeft: 30,
      standardSupportEndsAt: STD_END,
      extendedSupportEndsAt: EXT_END,
    });
    expect(v.support?.warning).toMatch(/extended support/);
    // As the API sends it (JSON): no support field at all.
    expect(JSON.parse(JSON.stringify(clusterView(cluster())))).not.toHaveProperty('support');
  });

  it("dates stored for another version (before an upgrade) are not shown as the running version's", async () => {
    const { clusterView } = await import('../../../functions/api/clusters/cluster-view.js');
    const dates = {
      kubernetesVersion: '1.32',
      standardSupportEndsAt: STD_END,
      extendedSupportEndsAt: EXT_END,
      checkedAt: STD_END,
    };
    const upgraded = { ...cluster({ kubernetesVersion: '1.33' }), supportDates: dates };
    expect(JSON.parse(JSON.stringify(clusterView(upgraded)))).not.toHaveProperty('support');
    // The stack's output wins over the settings when both are there.
    const byOutput = { ...cluster(), outputs: { kubernetesVersion: '1.33' }, supportDates: dates } as never;
    expect(JSON.parse(JSON.stringify(clusterView(byOutput)))).not.toHaveProperty('support');
  });
});
