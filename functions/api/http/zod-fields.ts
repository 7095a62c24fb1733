/** zod issues as the API's `fields`: one entry per problem, unknown keys one entry each. */
import type { z } from 'zod/mini';
import type { FieldProblem } from '../../lib/diagnosis/types.js';

const MAX_FIELDS = 50;

export function fieldsFromZod(error: z.core.$ZodError): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push({
          path: [...base, key.slice(0, 100)].join('.'),
          message: 'Unknown field; remove it (see the OpenAPI document for the accepted fields).',
        });
    } else {
      out.push({ path: base.join('.') || '(body)', message: issue.message });
    }
  }
  return out.slice(0, MAX_FIELDS);
}
