/**
 * Resolves the CloudFormation intrinsics a synthesised template uses in strings (Fn::Join, Ref,
 * Fn::GetAtt) against given values, so tests can compare what AWS would see with what the shared
 * definitions produce. Anything not listed throws, so an unexpected reference cannot slip through.
 */
export interface IntrinsicValues {
  /** `Ref` targets: pseudo parameters (`AWS::Partition`) or logical ids. */
  readonly refs?: Readonly<Record<string, string>>;
  /** `Fn::GetAtt` targets as `<LogicalId>.<Attribute>`. */
  readonly getAtts?: Readonly<Record<string, string>>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function resolveIntrinsics(value: unknown, values: IntrinsicValues): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, values));
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [key] = keys;
    const arg = value[key as string];
    if (key === 'Ref' && typeof arg === 'string') {
      const resolved = values.refs?.[arg];
      if (resolved === undefined) throw new Error(`Unexpected Ref ${arg}`);
      return resolved;
    }
    if (key === 'Fn::GetAtt' && Array.isArray(arg)) {
      const name = arg.join('.');
      const resolved = values.getAtts?.[name];
      if (resolved === undefined) throw new Error(`Unexpected Fn::GetAtt ${name}`);
      return resolved;
    }
    if (key === 'Fn::Join' && Array.isArray(arg) && typeof arg[0] === 'string' && Array.isArray(arg[1])) {
      return arg[1].map((part) => String(resolveIntrinsics(part, values))).join(arg[0]);
    }
    if (key?.startsWith('Fn::')) throw new Error(`Unsupported intrinsic ${key}`);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveIntrinsics(v, values)]));
}

/** Every string in a JSON value with the path it sits at (`Resources.X.Properties.Y[0]`). */
export function stringsWithPaths(value: unknown, path = ''): Array<{ path: string; value: string }> {
  if (typeof value === 'string') return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsWithPaths(v, `${path}[${i}]`));
  if (isRecord(value)) {
    return Object.entries(value).flatMap(([k, v]) => [
      ...stringsWithPaths(k, `${path}{key}`),
      ...stringsWithPaths(v, path ? `${path}.${k}` : k),
    ]);
  }
  return [];
}
