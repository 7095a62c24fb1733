/**
 * The cluster settings (DESIGN §1, the seed's form in camelCase). One schema for the API and the
 * state machine. OWNER: foundation issue — tighten every rule AWS applies; keep the exported names.
 */
import { z } from 'zod';

export const clusterSettingsSchema = z
  .object({
    name: z.string(),
    environmentScope: z.string().default('*'),
    region: z.string(),
    provisionRoleArn: z.string(),
    serviceRoleArn: z.string(),
    kubernetesVersion: z.string().optional(),
    keyName: z.string().optional(),
    vpcId: z.string(),
    subnetIds: z.array(z.string()),
    securityGroupIds: z.array(z.string()),
    instanceType: z.string(),
    nodeCount: z.number().int(),
    managed: z.boolean().default(true),
    onFailure: z.enum(['KEEP', 'ROLLBACK']).default('KEEP'),
    adminPrincipalArns: z.array(z.string()).default([]),
    tags: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export type ClusterSettings = z.output<typeof clusterSettingsSchema>;
export type ClusterSettingsInput = z.input<typeof clusterSettingsSchema>;
