import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Role } from './session.ts';

/**
 * Hash routes (`#/public/calls/abc`): a static site needs no server rewrite rules, on S3 + CloudFront
 * as under `npm start`. Each console exports its routes; `roles` undefined = public.
 */
export interface Page {
  /** e.g. `/staff/applications/:id` */
  readonly path: string;
  readonly titleKey: string;
  readonly roles?: readonly Role[];
  /** Shown in the console's navigation. */
  readonly nav?: boolean;
  readonly component: ComponentType<{ params: Record<string, string> }>;
}

export function match(
  pages: readonly Page[],
  path: string,
): { page: Page; params: Record<string, string> } | undefined {
  for (const page of pages) {
    const names: string[] = [];
    const re = new RegExp(
      `^${page.path.replace(/:(\w+)/g, (_, n: string) => {
        names.push(n);
        return '([^/]+)';
      })}/?$`,
    );
    const m = re.exec(path);
    if (m)
      return {
        page,
        params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')])),
      };
  }
  return undefined;
}

export const currentPath = (): string => location.hash.replace(/^#/, '').split('?')[0] || '/';

export function navigate(path: string): void {
  location.hash = path;
}

export function usePath(): string {
  const [p, setP] = useState(currentPath());
  useEffect(() => {
    const on = () => setP(currentPath());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return p;
}
