/** The update workflow: statemachine/update-cluster.asl.json (asl-state-machine.ts builds it). */
import type { Construct } from 'constructs';
import { AslStateMachine, type ClusterStateMachineProps } from './asl-state-machine.js';

export const UPDATING_ASL_FILE = 'statemachine/update-cluster.asl.json';

export class UpdatingStateMachine extends AslStateMachine {
  constructor(scope: Construct, id: string, props: ClusterStateMachineProps) {
    super(scope, id, {
      ...props,
      aslFile: UPDATING_ASL_FILE,
      logName: 'update-cluster',
      what: 'update',
      comment: `eks-provisioner update (${UPDATING_ASL_FILE})`,
    });
  }
}
