/** Resource types of the cluster template, read from the synthesized template (policy generation). */
import { clusterTemplateResourceTypes } from './index.js';

export const TEMPLATE_RESOURCE_TYPES: readonly string[] = clusterTemplateResourceTypes();
