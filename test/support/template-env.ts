/**
 * A function's `Environment.Variables` from the synthesized template, with the intrinsic functions
 * (Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split) replaced by local values, as CloudFormation
 * would replace them by the deployed ones. A value it cannot replace fails loudly: a new kind of
 * reference in the template must be given its local stand-in (test/infra/bundle-smoke.test.ts).
 */
import type { Resource } from '../infra/fixture.ts';

export interface LocalValues {
  partition: string;
  region: string;
  accountId: string;
  urlSuffix: string;
  /** Ref of a resource, by its CloudFormation type (`AWS::DynamoDB::Table` → the local table name). */
  refByType: Record<string, string>;
  /** Fn::GetAtt of a resource, by `<type>.<attribute>` (`AWS::KMS::Key.Arn`). */
  attributeByType: Record<string, string>;
}

export function substitute(value: unknown, resources: Record<string, Resource>, local: LocalValues): string {
  const go = (v: unknown): unknown => {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (Array.isArray(v)) return v.map(go);
    if (!v || typeof v !== 'object') throw new Error(`cannot substitute ${JSON.stringify(v)}`);
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length !== 1) throw new Error(`cannot substitute ${JSON.stringify(v)}`);
    const [fn, arg] = entries[0]!;
    switch (fn) {
      case 'Ref': {
        const pseudo: Record<string, string> = {
          'AWS::Partition': local.partition,
          'AWS::Region': local.region,
          'AWS::AccountId': local.accountId,
          'AWS::URLSuffix': local.urlSuffix,
        };
        const name = String(arg);
        if (pseudo[name]) return pseudo[name];
        const type = resources[name]?.Type;
        const out = type ? local.refByType[type] : undefined;
        if (out === undefined)
          throw new Error(`no local value for Ref ${name} (${type ?? 'no such resource'})`);
        return out;
      }
      case 'Fn::GetAtt': {
        const [id, attribute] = arg as [string, string];
        const type = resources[id]?.Type;
        const out = type ? local.attributeByType[`${type}.${attribute}`] : undefined;
        if (out === undefined) throw new Error(`no local value for Fn::GetAtt ${id}.${attribute} (${type})`);
        return out;
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return (parts.map(go) as string[]).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        const items = go(list) as string[];
        return items[Number(go(index))];
      }
      case 'Fn::Split': {
        const [separator, text] = arg as [string, unknown];
        return String(go(text)).split(separator);
      }
      default:
        throw new Error(`cannot substitute ${fn}`);
    }
  };
  const out = go(value);
  if (typeof out !== 'string') throw new Error(`substituted to a non-string: ${JSON.stringify(value)}`);
  return out;
}

/** Every variable of a function resource's environment, substituted. */
export function templateEnvironment(
  fn: Resource,
  resources: Record<string, Resource>,
  local: LocalValues,
): Record<string, string> {
  const variables = (fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, substitute(v, resources, local)]));
}
