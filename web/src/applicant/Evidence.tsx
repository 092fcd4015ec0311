import { useState } from 'preact/hooks';
import { newIdempotencyKey } from '../api.ts';
import { t } from '../i18n.ts';
import { ProblemBox } from '../ui.tsx';
import { Status } from './AppStatus.tsx';
import './messages.ts';
import type { Evidence, RequiredEvidence } from './model.ts';
import { type UploadPhase, UploadProgress, uploadEvidence } from './upload.tsx';

interface RowState {
  phase: UploadPhase;
  percent: number;
  fileName: string;
  problem?: unknown;
}

/**
 * Evidence for each kind the call asks for: declare (kind, name, type, size, SHA-256) → the file goes
 * straight to storage with the presigned POST (a `<progress>` per file, from the upload's own
 * progress events) → confirm, where the server checks size, digest and file signature. The API, not
 * this page, decides whether the file counts (`verified`).
 */
export function EvidenceUploads(props: {
  applicationId: string;
  required: readonly RequiredEvidence[];
  evidence: readonly Evidence[];
  editable: boolean;
  onChanged: () => void;
}) {
  const [rows, setRows] = useState<Record<string, RowState>>({});
  const setRow = (kind: string, row: RowState) => setRows((r) => ({ ...r, [kind]: row }));
  const kinds: RequiredEvidence[] = [
    ...props.required,
    ...(props.required.some((r) => r.kind === 'other')
      ? []
      : [{ kind: 'other', title: t('applicant.kind.other'), required: false }]),
  ];

  const upload = async (kind: string, file: File) => {
    let row: RowState = { phase: 'hashing', percent: 0, fileName: file.name };
    setRow(kind, row);
    try {
      await uploadEvidence(file, {
        createPath: `/v1/applications/${props.applicationId}/evidence`,
        confirmPath: (id) => `/v1/applications/${props.applicationId}/evidence/${id}/confirm`,
        kind,
        idempotencyKey: newIdempotencyKey(),
        onStep: ({ phase, percent }) => {
          row = { ...row, ...(phase ? { phase } : {}), ...(percent !== undefined ? { percent } : {}) };
          setRow(kind, row);
        },
      });
      setRow(kind, { ...row, phase: 'done' });
    } catch (problem) {
      setRow(kind, { ...row, phase: 'failed', problem });
    }
    props.onChanged();
  };

  return (
    <div class="evidence">
      <ul class="evidence-kinds">
        {kinds.map((r) => {
          const row = rows[r.kind];
          const latest = [...props.evidence]
            .filter((e) => e.kind === r.kind)
            .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
          return (
            <li key={r.kind} class="evidence-kind" data-kind={r.kind}>
              <h3>
                {r.title}{' '}
                <small>
                  {r.required ? t('applicant.app.evidence.required') : t('applicant.app.evidence.optional')}
                </small>
              </h3>
              {props.editable ? (
                <div class="field">
                  <label for={`file-${r.kind}`}>{t('applicant.app.evidence.file', { title: r.title })}</label>
                  <input
                    id={`file-${r.kind}`}
                    type="file"
                    accept=".pdf,.png,.jpg,.jpeg,.zip,.docx,.xlsx,.pptx,.doc"
                    disabled={row !== undefined && row.phase !== 'done' && row.phase !== 'failed'}
                    onChange={(e) => {
                      const input = e.target as HTMLInputElement;
                      const file = input.files?.[0];
                      if (file) void upload(r.kind, file);
                    }}
                  />
                </div>
              ) : null}
              {row ? (
                <UploadProgress
                  label={t('applicant.app.evidence.progress', { title: r.title })}
                  percent={row.percent}
                  phase={row.phase}
                  fileName={row.fileName}
                  texts="applicant.app.evidence"
                >
                  {row.phase === 'failed' ? <ProblemBox problem={row.problem} /> : null}
                </UploadProgress>
              ) : null}
              {latest ? (
                <p class="evidence-latest">
                  {latest.fileName} · <Status value={latest.status} />
                </p>
              ) : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
