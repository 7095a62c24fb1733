/** A run ended without its own failure handling (timed out, stopped, uncaught error), recorded from Step Functions' "Execution Status Change" event. */
import { type ContextEvidence, type Ev, entry, sentence } from '../entry.js';

/** The Step Functions execution that ended, and how. */
type ExecutionEvidence = {
  executionArn?: string;
  consoleUrl?: string;
  error?: string;
  cause?: string;
  timeoutSeconds?: number;
};

/** What to do after a deletion run ended without recording its end: look, then delete again (it picks the stack up where it is). */
function deletionEndedSteps(ev: Ev<ContextEvidence & ExecutionEvidence>, look: string): string[] {
  const region = ev.s('region', '<region>');
  const stack = ev.s('stackId', ev.s('stackName'));
  const again = ev.has('clusterId')
    ? `eks-provisioner delete ${ev.s('clusterId')} (or DELETE /v1/clusters/${ev.s('clusterId')})`
    : 'eks-provisioner delete <cluster id> (or DELETE /v1/clusters/<id>)';
  return [
    `Open the execution${ev.opt('consoleUrl', (v) => ` (${v})`)} ${look}.`,
    stack
      ? `CloudFormation goes on deleting without the service: see where stack ${ev.s('stackName', stack)} is with aws cloudformation describe-stacks --stack-name ${stack} --region ${region} (DELETE_IN_PROGRESS, DELETE_FAILED, or DELETE_COMPLETE once gone).`
      : "CloudFormation goes on deleting without the service: check the cluster's stack in the CloudFormation console.",
    `Then delete again: ${again}. It follows the stack from where it is, and records DELETED at once if the stack is already gone.`,
  ];
}

export const EXECUTION = {
  // The execution ended without running its own failure handling (no Catch): recorded from Step
  // Functions' "Execution Status Change" event. Evidence: executionArn, consoleUrl, error, cause,
  // stackName, timeoutSeconds.
  EXECUTION_TIMED_OUT: entry<ExecutionEvidence>({
    title: 'Provisioning ran out of time',
    retryable: true,
    docsUrl: 'https://docs.aws.amazon.com/step-functions/latest/dg/sfn-stuck-execution.html',
    message: (ev) =>
      sentence(
        `The provisioning run reached its time limit${ev.opt('timeoutSeconds', (v) => ` (${v} seconds)`)} and Step Functions stopped it before it could finish or explain a failure.
         ${ev.opt('executionArn', (v) => `Execution: ${v}.`)}`,
      ),
    remediation: (ev) => [
      `Open the execution${ev.opt('consoleUrl', (v) => ` (${v})`)} and look at the last state it was in.`,
      ev.has('stackName')
        ? `If CloudFormation stack ${ev.s('stackName')} exists, check its Events tab: it may still be creating, or have failed at a resource.`
        : 'If a CloudFormation stack was created for the cluster, check its Events tab.',
      'Submit the cluster again once the cause is clear.',
    ],
  }),
  EXECUTION_ABORTED: entry<ExecutionEvidence>({
    title: 'Provisioning was stopped',
    retryable: true,
    docsUrl: 'https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html',
    message: (ev) =>
      sentence(
        `Someone stopped the provisioning run (Step Functions StopExecution)${ev.opt('error', (v) => ` with error "${v}"`)}${ev.opt('cause', (v) => ` and cause "${v}"`)}.
         ${ev.opt('executionArn', (v) => `Execution: ${v}.`)}`,
      ),
    remediation: (ev) => [
      `Open the execution${ev.opt('consoleUrl', (v) => ` (${v})`)} to see the state it was stopped in.`,
      ev.has('stackName')
        ? `If CloudFormation stack ${ev.s('stackName')} exists, it keeps going without the service: delete it, or wait for it and submit again.`
        : 'Any CloudFormation stack already created keeps going without the service: check the CloudFormation console.',
      'Submit the cluster again if it is still wanted.',
    ],
  }),
  EXECUTION_FAILED: entry<ExecutionEvidence>({
    title: 'Provisioning stopped on an internal error',
    retryable: true,
    docsUrl: 'https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html',
    message: (ev) =>
      sentence(
        `The provisioning run failed before it could record why${ev.opt('error', (v) => ` (${v}${ev.has('cause') ? `: ${ev.s('cause')}` : ''})`)}.
         ${ev.opt('executionArn', (v) => `Execution: ${v}.`)}`,
      ),
    remediation: (ev) => [
      `Open the execution${ev.opt('consoleUrl', (v) => ` (${v})`)} and read the error of the last state.`,
      'If the error is States.Runtime or a quota, report it to the service operator: it is not caused by your settings.',
      'Submit the cluster again.',
    ],
  }),
  // A delete execution that ended without its own failure handling (record-ended-execution). The
  // record goes back to FAILED so that deleting again is allowed; the stack may still be deleting.
  DELETE_EXECUTION_TIMED_OUT: entry<ExecutionEvidence>({
    title: 'Deleting the cluster ran out of time',
    retryable: true,
    docsUrl: 'https://docs.aws.amazon.com/step-functions/latest/dg/sfn-stuck-execution.html',
    message: (ev) =>
      sentence(
        `The deletion run reached its time limit${ev.opt('timeoutSeconds', (v) => ` (${v} seconds)`)} and Step Functions stopped it before it could record the end of the deletion.
         ${ev.opt('executionArn', (v) => `Execution: ${v}.`)}`,
      ),
    remediation: (ev) => deletionEndedSteps(ev, 'and look at the last state it was in'),
  }),
  DELETE_EXECUTION_ABORTED: entry<ExecutionEvidence>({
    title: 'Deleting the cluster was stopped',
    retryable: true,
    docsUrl: 'https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html',
    message: (ev) =>
      sentence(
        `Someone stopped the deletion run (Step Functions StopExecution)${ev.opt('error', (v) => ` with error "${v}"`)}${ev.opt('cause', (v) => ` and cause "${v}"`)}.
         ${ev.opt('executionArn', (v) => `Execution: ${v}.`)}`,
      ),
    remediation: (ev) => deletionEndedSteps(ev, 'to see the state it was stopped in'),
  }),
  DELETE_EXECUTION_FAILED: entry<ExecutionEvidence>({
    title: 'Deleting the cluster stopped on an internal error',
    retryable: true,
    docsUrl: 'https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html',
    message: (ev) =>
      sentence(
        `The deletion run failed before it could record why${ev.opt('error', (v) => ` (${v}${ev.has('cause') ? `: ${ev.s('cause')}` : ''})`)}.
         ${ev.opt('executionArn', (v) => `Execution: ${v}.`)}`,
      ),
    remediation: (ev) => [
      ...deletionEndedSteps(ev, 'and read the error of the last state'),
      'If the error is States.Runtime or a quota, report it to the service operator: it is not caused by your cluster.',
    ],
  }),
};
