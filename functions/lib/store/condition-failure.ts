import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** DynamoDB refused a conditional write (the condition did not hold): by class, or by name across SDK copies. */
export function isConditionFailure(err: unknown): boolean {
  return (
    err instanceof ConditionalCheckFailedException ||
    (err as { name?: string })?.name === 'ConditionalCheckFailedException'
  );
}
