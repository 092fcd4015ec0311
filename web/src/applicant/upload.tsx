import type { ComponentChildren } from 'preact';
import { post, sha256Hex, uploadWithProgress } from '../api.ts';
import { t } from '../i18n.ts';
import { contentTypeOf } from './model.ts';

/**
 * One evidence file's way in, for an application's evidence (`Evidence.tsx`) and a platform's
 * (`PlatformEvidence.tsx`): declared (kind, name, type, size, SHA-256), sent straight to storage with
 * the presigned POST (progress from the upload's own events), then confirmed, where the server checks
 * size, digest and file signature and says whether it is `verified`.
 */
export type UploadPhase = 'hashing' | 'uploading' | 'checking' | 'done' | 'failed';

export async function uploadEvidence(
  file: File,
  opts: {
    /** `POST` path that declares the file and returns the presigned upload. */
    createPath: string;
    /** `POST` path that confirms the uploaded file. */
    confirmPath: (evidenceId: string) => string;
    kind: string;
    idempotencyKey: string;
    /** Called as the upload moves on: its phase, its percentage, the id the API gave it. */
    onStep: (step: { phase?: UploadPhase; percent?: number; evidenceId?: string }) => void;
  },
): Promise<{ evidenceId: string; status: string }> {
  const sha256 = await sha256Hex(file);
  const ticket = await post<{ evidenceId: string; upload: { url: string; fields: Record<string, string> } }>(
    opts.createPath,
    { kind: opts.kind, fileName: file.name, contentType: contentTypeOf(file), sizeBytes: file.size, sha256 },
    { idempotencyKey: opts.idempotencyKey },
  );
  opts.onStep({ phase: 'uploading', evidenceId: ticket.evidenceId });
  await uploadWithProgress(ticket.upload, file, file.name, (fraction) =>
    opts.onStep({ percent: Math.round(fraction * 100) }),
  );
  opts.onStep({ phase: 'checking', percent: 100 });
  return post<{ evidenceId: string; status: string }>(opts.confirmPath(ticket.evidenceId));
}

/**
 * A file's progress bar with its percentage and, announced, what is happening (`texts` names the
 * vocabulary: `hashing`, `uploading`, `checking`, `done` with `{name}`); `children` follow.
 */
export function UploadProgress(props: {
  label: string;
  percent: number;
  phase: UploadPhase;
  fileName: string;
  texts: string;
  children?: ComponentChildren;
}) {
  return (
    <div class="upload-progress">
      <progress max={100} value={props.percent} aria-label={props.label} />
      <span>{props.percent} %</span>{' '}
      <span role="status">
        {props.phase === 'failed' ? '' : t(`${props.texts}.${props.phase}`, { name: props.fileName })}
      </span>
      {props.children}
    </div>
  );
}
