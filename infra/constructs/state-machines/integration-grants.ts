/**
 * What a state machine's role may do, read from its ASL: the ASL names every ARN and name through
 * `${Substitution}`s and CDK cannot see inside the file, so each grant is derived here explicitly.
 */

/** Service integrations an ASL may use, and the IAM action each needs. */
const INTEGRATION_ACTIONS: Record<string, string> = {
  'dynamodb:putItem': 'dynamodb:PutItem',
  'dynamodb:updateItem': 'dynamodb:UpdateItem',
  'dynamodb:getItem': 'dynamodb:GetItem',
  'dynamodb:deleteItem': 'dynamodb:DeleteItem',
  'events:putEvents': 'events:PutEvents',
};

/** The part of an ASL state that taskResources walks. */
interface AslState {
  Type?: string;
  Resource?: unknown;
  Branches?: Array<{ States?: AslStates }>;
  ItemProcessor?: { States?: AslStates };
  Iterator?: { States?: AslStates };
}
type AslStates = Record<string, AslState | undefined>;

/** Every Task `Resource` in the ASL, nested Parallel branches and Map iterators included. */
export function taskResources(asl: unknown): string[] {
  const out: string[] = [];
  const walk = (states: AslStates | undefined) => {
    for (const state of Object.values(states ?? {})) {
      if (state?.Type === 'Task' && typeof state.Resource === 'string') out.push(state.Resource);
      for (const branch of state?.Branches ?? []) walk(branch.States);
      walk(state?.ItemProcessor?.States ?? state?.Iterator?.States);
    }
  };
  walk((asl as { States?: AslStates }).States);
  return out;
}

/**
 * The IAM actions the ASL's optimized integrations need (`arn:aws:states:::dynamodb:updateItem`
 * → `dynamodb:UpdateItem`). An integration not listed here fails synth, so a new kind of task
 * cannot ship without a reviewed grant. `aslFile` only names the file in that error.
 */
export function integrationActions(
  asl: unknown,
  aslFile = 'the state machine definition',
): { dynamodb: string[]; events: string[] } {
  const actions = new Set<string>();
  for (const resource of taskResources(asl)) {
    if (resource.startsWith('${')) continue; // a Lambda function ARN substitution
    const m = /^arn:aws:states:::([a-z]+:[A-Za-z]+)$/.exec(resource);
    const action = m ? INTEGRATION_ACTIONS[m[1]!] : undefined;
    if (!action)
      throw new Error(
        `${aslFile}: task resource ${resource} has no grant; add it to INTEGRATION_ACTIONS in infra/constructs/state-machines/integration-grants.ts.`,
      );
    actions.add(action);
  }
  const sorted = [...actions].sort();
  return {
    dynamodb: sorted.filter((a) => a.startsWith('dynamodb:')),
    events: sorted.filter((a) => a.startsWith('events:')),
  };
}
