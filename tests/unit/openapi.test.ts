import { describe, expect, it } from 'vitest';
import { buildOpenApi, errorStatuses } from '../../functions/api/openapi.ts';
import { routes } from '../../functions/api/routes.ts';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, unknown>;
    securitySchemes: Record<string, { type: string; scheme: string }>;
  };
};
type Operation = {
  operationId: string;
  security: unknown[];
  parameters?: Array<{ name: string; in: string; required: boolean }>;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
};

const doc = buildOpenApi() as unknown as Doc;

function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and survives a JSON round trip unchanged', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    expect(doc.components.securitySchemes.bearerJwt).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it.each(routes.map((r) => [r.method, r.path, r]))(
    '%s %s is documented with its security',
    (_m, _p, route) => {
      const op = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect(op?.operationId).toBe(route.id);
      if (route.auth === 'public') {
        expect(op?.security).toEqual([]);
        expect(op?.responses).not.toHaveProperty('401');
        expect(op?.responses).not.toHaveProperty('403');
      } else if (route.auth === 'optional') {
        // Anonymous or with a token the handler verifies (an invalid one → 401; no role check → no 403).
        expect(op?.security).toEqual([{}, { bearerJwt: [] }]);
        expect(op?.responses).toHaveProperty('401');
        expect(op?.responses).not.toHaveProperty('403');
      } else {
        expect(op?.security).toEqual([{ bearerJwt: [] }]);
        expect(op?.responses).toHaveProperty('401');
        expect(op?.responses).toHaveProperty('403');
      }
      for (const status of Object.keys(route.responses)) expect(op?.responses).toHaveProperty(status);
      for (const status of errorStatuses(route)) {
        expect(op?.responses[String(status)]?.content).toHaveProperty('application/problem+json');
      }
    },
  );

  it('every $ref points at a component that exists; named schemas are components', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(0);
    for (const ref of all) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas).toHaveProperty(ref.split('/').at(-1) as string);
    }
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        'Problem',
        'CreateOrganisation',
        'Organisation',
        'UsccCheck',
        'HumanTask',
        'AuditEvent',
      ]),
    );
  });

  it('documents request bodies, path and query parameters, and Idempotency-Key on idempotent routes', () => {
    const create = doc.paths['/v1/organisations']?.post;
    expect(create?.requestBody?.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/CreateOrganisation',
    });
    expect(create?.parameters).toEqual([
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }),
    ]);
    expect(create?.responses).toHaveProperty('413');
    expect(create?.responses).toHaveProperty('422');
    const get = doc.paths['/v1/organisations/{orgId}']?.get;
    expect(get?.parameters).toEqual([expect.objectContaining({ name: 'orgId', in: 'path', required: true })]);
    const audit = doc.paths['/v1/audit']?.get;
    expect(audit?.parameters?.map((p) => [p.name, p.required])).toEqual([
      ['entityId', true],
      ['limit', false],
      ['cursor', false],
    ]);
  });

  it('never documents /dev routes', () => {
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/dev'))).toBe(false);
  });
});
