/**
 * UpdateCluster (the update state machine's own steps). One function, one step per call
 * (`{ step, state }`): each step is a plain function in this folder, tested without AWS.
 */
import { cloudFormationClient, ec2Client, eksClient } from '../lib/aws/clients.js';
import { roleBSession } from '../lib/aws/tenant-role.js';
import { loadConfig } from '../lib/config.js';
import { connectDisruptionReader } from '../lib/kubernetes/connect.js';
import { lambdaHandler } from '../lib/middleware.js';
import { recordProgress } from '../lib/progress/progress.js';
import type { CaughtError, UpdateInput } from '../lib/state.js';
import { defaultStore } from '../lib/store/dynamo-store.js';
import { describeVersionDates } from '../lib/support/version-dates.js';
import type { UpdateRun } from '../lib/update/run.js';
import { executeChangeSet, prepareChangeSet } from './change-set.js';
import { completeUpdateFailed, completeUpdateSucceeded } from './complete.js';
import { pollStackUpdate } from './poll.js';
import { updatePreflight } from './preflight.js';
import { prepareUpdate } from './prepare.js';

const config = loadConfig();

export type UpdateStepEvent =
  | { step: 'prepare'; state: UpdateInput; executionArn: string; startedAt: string }
  | { step: 'preflight' | 'changeSet' | 'execute' | 'poll' | 'succeeded'; state: UpdateRun }
  | { step: 'failed'; state: UpdateRun & { error?: CaughtError } };

export const handler = lambdaHandler(async (event: UpdateStepEvent, { logger }) => {
  const store = defaultStore();
  const now = () => new Date();
  if (event.step === 'prepare')
    return prepareUpdate({ ...event.state, executionArn: event.executionArn, startedAt: event.startedAt }, { store });
  const run = event.state;
  if (event.step === 'failed') {
    let session: Promise<Awaited<ReturnType<typeof roleBSession>>['session']> | undefined;
    const roleB = () => (session ??= roleBSession(run, { store, config }).then((r) => r.session));
    return completeUpdateFailed(run, {
      store,
      now,
      cloudformation: async () => cloudFormationClient(await roleB()),
      // A blocked node roll: name the PodDisruptionBudget through the cluster's API.
      disruption: async () => {
        const s = await roleB();
        return connectDisruptionReader({
          eks: eksClient(s),
          clusterName: run.cluster.name,
          region: run.region,
          credentials: s.clientConfig().credentials!,
          now,
        });
      },
    });
  }
  if (event.step === 'succeeded')
    return completeUpdateSucceeded(run, {
      store,
      now,
      versionDates: async (version) => {
        const { session } = await roleBSession(run, { store, config });
        return (await describeVersionDates(eksClient(session), [version])).get(version);
      },
    });
  const { session } = await roleBSession(run, { store, config });
  const cloudformation = cloudFormationClient(session);
  switch (event.step) {
    case 'preflight':
      return updatePreflight(run, { eks: eksClient(session), ec2: ec2Client(session), cloudformation });
    case 'changeSet':
      return prepareChangeSet(run, { cloudformation, eks: eksClient(session) });
    case 'execute':
      return executeChangeSet(run, { cloudformation, now });
    case 'poll': {
      return pollStackUpdate(run, {
        cloudformation,
        now,
        maxProvisioningSeconds: config.maxProvisioningSeconds,
        progress: recordProgress(store, run, logger),
      });
    }
  }
  throw new Error(`unknown update step ${(event as { step: string }).step}`);
});
