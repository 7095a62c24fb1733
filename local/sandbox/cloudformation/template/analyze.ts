/**
 * Everything CloudFormation checks before it accepts CreateStack: template structure, references,
 * circular dependencies, capabilities, parameters, conditions. Every failure is a `TemplateError`
 * (`ValidationError`) with CloudFormation's wording.
 */
import { TemplateError } from './errors.js';
import { asFunction, collectReferences, type EvalContext, evaluateCondition, PSEUDO_PARAMETERS } from './intrinsics.js';
import type { Template, TemplateResource } from './parse.js';

/** What the engine knows about a resource type (from its provider). */
export interface ResourceCatalog {
  attributes(type: string): readonly string[] | undefined;
}

const TOP_LEVEL = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
]);

const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'Metadata',
  'CreationPolicy',
  'UpdatePolicy',
]);

const AWS_SPECIFIC_TYPES = [
  'AWS::EC2::AvailabilityZone::Name',
  'AWS::EC2::Image::Id',
  'AWS::EC2::Instance::Id',
  'AWS::EC2::KeyPair::KeyName',
  'AWS::EC2::SecurityGroup::GroupName',
  'AWS::EC2::SecurityGroup::Id',
  'AWS::EC2::Subnet::Id',
  'AWS::EC2::Volume::Id',
  'AWS::EC2::VPC::Id',
  'AWS::Route53::HostedZone::Id',
];

export const PARAMETER_TYPES = new Set([
  'String',
  'Number',
  'List<Number>',
  'CommaDelimitedList',
  ...AWS_SPECIFIC_TYPES,
  ...AWS_SPECIFIC_TYPES.map((t) => `List<${t}>`),
]);

const IAM_NAME_PROPERTIES: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
};

export interface AnalyzedTemplate {
  template: Template;
  /** Parameter names in declaration order. */
  parameterNames: string[];
  /** `CAPABILITY_IAM`, `CAPABILITY_NAMED_IAM` or none. */
  requiredCapability?: 'CAPABILITY_IAM' | 'CAPABILITY_NAMED_IAM';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function dependsOnList(res: TemplateResource): string[] {
  if (res.DependsOn === undefined) return [];
  return Array.isArray(res.DependsOn) ? res.DependsOn.map(String) : [String(res.DependsOn)];
}

/** Structure, references and cycles: what `ValidateTemplate`/`CreateStack` reject before anything runs. */
export function analyzeTemplate(template: Template, catalog: ResourceCatalog): AnalyzedTemplate {
  const unknownTop = Object.keys(template).filter((k) => !TOP_LEVEL.has(k));
  if (unknownTop.length)
    throw new TemplateError(
      `Template format error: Invalid template property or properties [${unknownTop.join(', ')}]`,
    );
  if (template.AWSTemplateFormatVersion !== undefined && String(template.AWSTemplateFormatVersion) !== '2010-09-09') {
    throw new TemplateError('Template format error: Unsupported value for AWSTemplateFormatVersion.');
  }
  if (template.Transform !== undefined) {
    throw new TemplateError(
      'Template format error: Transforms are not modelled by the AWS sandbox; deploy the processed template instead',
    );
  }
  if (!isObject(template.Resources) || Object.keys(template.Resources).length === 0) {
    throw new TemplateError('Template format error: At least one Resources member must be defined.');
  }
  const parameters = isObject(template.Parameters) ? template.Parameters : {};
  for (const [name, decl] of Object.entries(parameters)) {
    if (!isObject(decl) || typeof decl.Type !== 'string') {
      throw new TemplateError(`Template format error: Every Parameters object must contain a Type member.`);
    }
    if (!PARAMETER_TYPES.has(decl.Type))
      throw new TemplateError(`Template format error: Unrecognized parameter type: ${decl.Type}`);
    if (!/^[A-Za-z0-9]+$/.test(name))
      throw new TemplateError(`Template format error: Parameter name ${name} is non alphanumeric.`);
  }
  const resources = template.Resources;
  const conditions = isObject(template.Conditions) ? template.Conditions : {};
  const unrecognized: string[] = [];
  for (const [id, res] of Object.entries(resources)) {
    if (!/^[A-Za-z0-9]+$/.test(id))
      throw new TemplateError(`Template format error: Resource name ${id} is non alphanumeric.`);
    if (!isObject(res) || typeof res.Type !== 'string') {
      throw new TemplateError(
        `Template format error: [/Resources/${id}] Every Resources object must contain a Type member.`,
      );
    }
    const extra = Object.keys(res).filter((k) => !RESOURCE_KEYS.has(k));
    if (extra.length) {
      throw new TemplateError(
        `Template format error: [/Resources/${id}] Invalid resource attribute or attributes [${extra.join(', ')}]`,
      );
    }
    if (!catalog.attributes(res.Type) && !unrecognized.includes(res.Type)) unrecognized.push(res.Type);
    if (res.Properties !== undefined && !isObject(res.Properties)) {
      throw new TemplateError(
        `Template format error: [/Resources/${id}/Properties] Every Properties object must be an object`,
      );
    }
    if (res.Condition !== undefined && !(String(res.Condition) in conditions)) {
      throw new TemplateError(
        `Template format error: Unresolved condition dependencies [${String(res.Condition)}] in the Resources block of the template`,
      );
    }
  }
  if (unrecognized.length)
    throw new TemplateError(`Template format error: Unrecognized resource types: [${unrecognized.join(', ')}]`);

  const known = (name: string) => name in parameters || (PSEUDO_PARAMETERS as readonly string[]).includes(name);

  // Conditions may reference parameters and other conditions only.
  for (const [name, expr] of Object.entries(conditions)) {
    const refs = collectReferences(expr);
    const bad = [...refs.refs].filter((r) => !known(r));
    const resourceRefs = [...bad, ...refs.getAtts.map((g) => g.logicalId)];
    if (resourceRefs.length) {
      throw new TemplateError(
        `Template format error: Unresolved dependencies [${resourceRefs.join(', ')}]. Cannot reference resources in the Conditions block of the template`,
      );
    }
    const missing = [...refs.conditions].filter((c) => !(c in conditions));
    if (missing.length)
      throw new TemplateError(`Template error: unresolved condition dependency ${missing[0]} in Fn::If`);
    if (name === '') throw new TemplateError('Template format error: Every Conditions member must be a condition');
  }

  checkReferences(template, 'Resources', catalog, known);
  checkReferences(template, 'Outputs', catalog, known);
  checkCycles(resources);
  return { template, parameterNames: Object.keys(parameters), requiredCapability: requiredCapability(resources) };
}

function checkReferences(
  template: Template,
  block: 'Resources' | 'Outputs',
  catalog: ResourceCatalog,
  known: (name: string) => boolean,
): void {
  const resources = template.Resources;
  const conditions = isObject(template.Conditions) ? template.Conditions : {};
  const entries = Object.entries((block === 'Resources' ? resources : template.Outputs) ?? {});
  const unresolved: string[] = [];
  for (const [id, entry] of entries) {
    if (!isObject(entry)) throw new TemplateError(`Template format error: Every ${block} member must be an object`);
    const refs = collectReferences(block === 'Resources' ? entry.Properties : entry);
    if (block === 'Resources') {
      for (const d of dependsOnList(entry as TemplateResource)) if (!(d in resources)) unresolved.push(d);
    } else if (entry.Value === undefined) {
      throw new TemplateError(
        `Template format error: Every Outputs member must contain a Value object, the Outputs member ${id} does not`,
      );
    }
    for (const r of refs.refs) if (!known(r) && !(r in resources) && !unresolved.includes(r)) unresolved.push(r);
    for (const g of refs.getAtts) {
      const target = resources[g.logicalId];
      if (!target)
        throw new TemplateError(`Template error: instance of Fn::GetAtt references undefined resource ${g.logicalId}`);
      const attrs = catalog.attributes(target.Type) ?? [];
      if (!attrs.includes(g.attribute)) {
        throw new TemplateError(
          `Template error: resource ${g.logicalId} does not support attribute type ${g.attribute} in Fn::GetAtt`,
        );
      }
    }
    for (const c of refs.conditions) {
      if (!(c in conditions)) throw new TemplateError(`Template error: unresolved condition dependency ${c} in Fn::If`);
    }
  }
  if (unresolved.length) {
    throw new TemplateError(
      `Template format error: Unresolved resource dependencies [${unresolved.join(', ')}] in the ${block} block of the template`,
    );
  }
}

/** Static dependencies of a resource (DependsOn + Ref/GetAtt/Sub to other resources). */
export function staticDependencies(id: string, resources: Record<string, TemplateResource>): string[] {
  const res = resources[id]!;
  const refs = collectReferences(res.Properties);
  const deps = new Set<string>(dependsOnList(res));
  for (const r of refs.refs) if (r in resources) deps.add(r);
  for (const g of refs.getAtts) if (g.logicalId in resources) deps.add(g.logicalId);
  deps.delete(id);
  return [...deps];
}

function checkCycles(resources: Record<string, TemplateResource>): void {
  const deps = new Map(Object.keys(resources).map((id) => [id, staticDependencies(id, resources)]));
  for (const [id, list] of deps)
    if (list.includes(id)) throw new TemplateError(`Circular dependency between resources: [${id}]`);
  // Kahn: whatever cannot be ordered is on (or behind) a cycle — CloudFormation lists those.
  const remaining = new Map([...deps].map(([id, list]) => [id, new Set(list)]));
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (const [id, list] of remaining) {
      if ([...list].every((d) => !remaining.has(d))) {
        remaining.delete(id);
        progressed = true;
      }
    }
  }
  if (remaining.size)
    throw new TemplateError(`Circular dependency between resources: [${[...remaining.keys()].join(', ')}]`);
}

function requiredCapability(resources: Record<string, TemplateResource>): AnalyzedTemplate['requiredCapability'] {
  let needed: AnalyzedTemplate['requiredCapability'];
  for (const res of Object.values(resources)) {
    if (!res.Type.startsWith('AWS::IAM::')) continue;
    const nameProp = IAM_NAME_PROPERTIES[res.Type];
    if (nameProp && res.Properties && nameProp in res.Properties) return 'CAPABILITY_NAMED_IAM';
    needed = 'CAPABILITY_IAM';
  }
  return needed;
}

/** CreateStack's capability check, with CloudFormation's message. */
export function checkCapabilities(analyzed: AnalyzedTemplate, given: string[]): void {
  const need = analyzed.requiredCapability;
  if (!need) return;
  const ok =
    need === 'CAPABILITY_IAM'
      ? given.includes('CAPABILITY_IAM') || given.includes('CAPABILITY_NAMED_IAM')
      : given.includes('CAPABILITY_NAMED_IAM');
  if (!ok) {
    const err = new TemplateError(`Requires capabilities : [${need}]`);
    (err as { code: string }).code = 'InsufficientCapabilitiesException';
    throw err;
  }
}

// ----- parameters ----------------------------------------------------------------------------------------

export interface GivenParameter {
  ParameterKey?: string;
  ParameterValue?: string;
  UsePreviousValue?: boolean;
}

export interface ResolvedParameter {
  key: string;
  type: string;
  /** Raw string as given (or default), for DescribeStacks. */
  raw: string;
  /** Value as Ref returns it: string, or list for list types. */
  value: string | string[];
  noEcho: boolean;
}

/** Looks up AWS-specific parameter values (subnet ids, key pairs, …) in the stack's account and region. */
export type AwsValueExists = (type: string, value: string) => boolean;

export function resolveParameters(
  analyzed: AnalyzedTemplate,
  given: GivenParameter[],
  exists: AwsValueExists,
): ResolvedParameter[] {
  const decls = (analyzed.template.Parameters ?? {}) as Record<string, Record<string, unknown>>;
  const byKey = new Map<string, string>();
  for (const p of given) if (p.ParameterKey !== undefined) byKey.set(p.ParameterKey, p.ParameterValue ?? '');
  const extra = [...byKey.keys()].filter((k) => !(k in decls));
  if (extra.length) throw new TemplateError(`Parameters: [${extra.join(', ')}] do not exist in the template`);
  const missing = analyzed.parameterNames.filter((k) => !byKey.has(k) && decls[k]!.Default === undefined);
  if (missing.length) throw new TemplateError(`Parameters: [${missing.join(', ')}] must have values`);

  const out: ResolvedParameter[] = [];
  for (const key of analyzed.parameterNames) {
    const decl = decls[key]!;
    const type = String(decl.Type);
    const raw = byKey.has(key)
      ? byKey.get(key)!
      : Array.isArray(decl.Default)
        ? decl.Default.join(',')
        : String(decl.Default);
    const isList = type.startsWith('List<') || type === 'CommaDelimitedList';
    const awsList = type.startsWith('List<AWS::');
    // An empty CommaDelimitedList/List<Number> is an empty list; an AWS-specific list has no empty value:
    // '' is checked (and refused) as one value that does not exist, as CloudFormation refuses it.
    const items = isList
      ? raw === '' && !awsList
        ? []
        : raw.split(',').map((s) => (type === 'CommaDelimitedList' ? s : s.trim()))
      : [raw];
    const allowed = Array.isArray(decl.AllowedValues) ? decl.AllowedValues.map(String) : undefined;
    for (const item of items) {
      if (allowed && !allowed.includes(item))
        throw new TemplateError(`Parameter '${key}' must be one of AllowedValues`);
      if ((type === 'Number' || type === 'List<Number>') && (item.trim() === '' || Number.isNaN(Number(item)))) {
        throw new TemplateError(`Parameter '${key}' must be a number`);
      }
      if (typeof decl.AllowedPattern === 'string' && !new RegExp(`^(?:${decl.AllowedPattern})$`).test(item)) {
        throw new TemplateError(
          typeof decl.ConstraintDescription === 'string'
            ? `Parameter ${key} failed to satisfy constraint: ${decl.ConstraintDescription}`
            : `Parameter '${key}' must match pattern ${decl.AllowedPattern}`,
        );
      }
      if (decl.MinLength !== undefined && item.length < Number(decl.MinLength)) {
        throw new TemplateError(`Parameter '${key}' must contain at least ${Number(decl.MinLength)} characters`);
      }
      if (decl.MaxLength !== undefined && item.length > Number(decl.MaxLength)) {
        throw new TemplateError(`Parameter '${key}' must contain at most ${Number(decl.MaxLength)} characters`);
      }
      if (decl.MinValue !== undefined && Number(item) < Number(decl.MinValue)) {
        throw new TemplateError(`Parameter '${key}' must be a number not less than ${Number(decl.MinValue)}`);
      }
      if (decl.MaxValue !== undefined && Number(item) > Number(decl.MaxValue)) {
        throw new TemplateError(`Parameter '${key}' must be a number not greater than ${Number(decl.MaxValue)}`);
      }
      const awsType = type.startsWith('List<AWS::') ? type.slice(5, -1) : type.startsWith('AWS::') ? type : undefined;
      if (awsType && !exists(awsType, item)) {
        throw new TemplateError(
          `Parameter validation failed: parameter value ${item} for parameter name ${key} does not exist.`,
        );
      }
    }
    out.push({ key, type, raw, value: isList ? items : raw, noEcho: String(decl.NoEcho) === 'true' });
  }
  return out;
}

/** Evaluate the Conditions block (conditions may use each other; order does not matter). */
export function evaluateConditions(template: Template, ctx: Omit<EvalContext, 'conditions'>): Record<string, boolean> {
  const exprs = (template.Conditions ?? {}) as Record<string, unknown>;
  const done: Record<string, boolean> = {};
  const visiting = new Set<string>();
  const resolve = (name: string): boolean => {
    if (name in done) return done[name]!;
    if (visiting.has(name))
      throw new TemplateError(
        `Template format error: Circular dependency between conditions: [${[...visiting].join(', ')}]`,
      );
    visiting.add(name);
    // Conditions evaluate lazily so a condition can use another declared later.
    const proxy = new Proxy({} as Record<string, boolean>, {
      has: (_t, key) => typeof key === 'string' && key in exprs,
      get: (_t, key) => (typeof key === 'string' ? resolve(key) : undefined),
    });
    const value = evaluateCondition(exprs[name], { ...ctx, conditions: proxy });
    visiting.delete(name);
    done[name] = value;
    return value;
  };
  for (const name of Object.keys(exprs)) resolve(name);
  return done;
}

/**
 * References that matter once conditions are known: `Fn::If` branches not taken are dropped. Used for
 * the run-time dependency graph and for "references a resource whose condition is false" errors.
 */
export function effectiveReferences(value: unknown, conditions: Record<string, boolean>): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    const fn = asFunction(v);
    if (fn) {
      const [name, arg] = fn;
      if (name === 'Fn::If' && Array.isArray(arg) && typeof arg[0] === 'string') {
        walk(conditions[arg[0]] ? arg[1] : arg[2]);
        return;
      }
      // For Fn::Sub with a variable map, only the string's own placeholders are references here;
      // the map's values are walked below with Fn::If pruning.
      const own =
        name === 'Fn::Sub' && Array.isArray(arg) && isObject(arg[1])
          ? [arg[0], Object.fromEntries(Object.keys(arg[1]).map((k) => [k, null]))]
          : arg;
      const refs = collectReferences({
        [name]: name === 'Fn::Sub' || name === 'Ref' || name === 'Fn::GetAtt' ? own : null,
      });
      for (const r of refs.refs) out.add(r);
      for (const g of refs.getAtts) out.add(g.logicalId);
      if (name === 'Fn::Sub' && Array.isArray(arg)) walk(arg[1]);
      else if (name !== 'Ref' && name !== 'Fn::GetAtt' && name !== 'Fn::Sub') walk(arg);
      return;
    }
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObject(v)) Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}
