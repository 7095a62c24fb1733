/** The deletion workflow: statemachine/delete-cluster.asl.json (asl-state-machine.ts builds it). */
import type { Construct } from 'constructs';
import { AslStateMachine, type ClusterStateMachineProps } from './asl-state-machine.js';

export const DELETION_ASL_FILE = 'statemachine/delete-cluster.asl.json';

export class DeletionStateMachine extends AslStateMachine {
  constructor(scope: Construct, id: string, props: ClusterStateMachineProps) {
    super(scope, id, {
      ...props,
      aslFile: DELETION_ASL_FILE,
      logName: 'delete-cluster',
      what: 'deletion',
      comment: `eks-provisioner deletion (${DELETION_ASL_FILE})`,
    });
  }
}
