/** The provisioning workflow: statemachine/provision-cluster.asl.json (asl-state-machine.ts builds it). */
import type { Construct } from 'constructs';
import { AslStateMachine, type ClusterStateMachineProps } from './asl-state-machine.js';

export const PROVISIONING_ASL_FILE = 'statemachine/provision-cluster.asl.json';

export class ProvisioningStateMachine extends AslStateMachine {
  constructor(scope: Construct, id: string, props: ClusterStateMachineProps) {
    super(scope, id, {
      ...props,
      aslFile: PROVISIONING_ASL_FILE,
      logName: 'provision-cluster',
      what: 'provisioning',
      comment: 'Provisions one EKS cluster in a customer account',
    });
  }
}
