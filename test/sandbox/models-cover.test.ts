/**
 * Request validation covers only operations present in the vendored models: every operation a sandbox
 * service module serves must be in its model (add it to local/sandbox/models/trim.ts and re-run it).
 */
import { describe, expect, it } from 'vitest';
import { service as cloudformation } from '../../local/sandbox/cloudformation/service.js';
import { service as ec2 } from '../../local/sandbox/ec2/service.js';
import { service as eks } from '../../local/sandbox/eks/service.js';
import { service as events } from '../../local/sandbox/events/service.js';
import { service as iam } from '../../local/sandbox/iam/service.js';
import { loadModel } from '../../local/sandbox/protocol/model.js';
import { SERVICES } from '../../local/sandbox/protocol/services.js';
import type { ServiceModule } from '../../local/sandbox/protocol/types.js';
import { service as sts } from '../../local/sandbox/sts/service.js';

const modules: Record<string, ServiceModule> = { sts, iam, ec2, eks, events, cloudformation };

describe('vendored models cover every served operation', () => {
  it.each(Object.keys(modules))('%s', (key) => {
    const model = loadModel(SERVICES[key]!.model!);
    const missing = Object.keys(modules[key]!.operations).filter((op) => !model.operations[op]);
    expect(missing, `add to OPERATIONS.${SERVICES[key]!.model} in local/sandbox/models/trim.ts`).toEqual([]);
  });
});
