import { useEffect, useState } from 'preact/hooks';
import { newIdempotencyKey } from '../api.ts';
import { addMessages, t } from '../i18n.ts';
import { ProblemBox } from '../ui.tsx';
import { Status } from './AppStatus.tsx';
import './messages.ts';
import { type UploadPhase, UploadProgress, uploadEvidence } from './upload.tsx';

/**
 * Evidence a platform host attaches to a form (a change request, the self-evaluation report, a response
 * to a revocation case, a voucher redemption, a case's media): each chosen file is declared (kind, name,
 * type, size, SHA-256), goes straight to storage with the presigned POST (a `<progress>` per file), and
 * is confirmed; the server decides whether it is `verified`. The form sends the ids of the verified ones.
 * The same way in as `Evidence.tsx` for application evidence (`upload.tsx`).
 */
addMessages(
  {
    'applicant.pev.choose': '选择文件：{label}',
    'applicant.pev.hint': '可多选；PDF、图片、Office 文档或 ZIP，每个文件上传后由系统核验。',
    'applicant.pev.progress': '{name} 上传进度',
    'applicant.pev.hashing': '正在计算文件摘要…',
    'applicant.pev.uploading': '正在上传…',
    'applicant.pev.checking': '正在核验…',
    'applicant.pev.done': '已上传：{name}',
    'applicant.pev.remove': '不附此文件：{name}',
    'applicant.pev.attached': '已附 {n} 个已核验文件',
  },
  {
    'applicant.pev.choose': 'Choose files: {label}',
    'applicant.pev.hint':
      'Several at once; PDF, images, Office documents or ZIP; each is checked after upload.',
    'applicant.pev.progress': 'Upload progress of {name}',
    'applicant.pev.hashing': 'Computing the file digest…',
    'applicant.pev.uploading': 'Uploading…',
    'applicant.pev.checking': 'Checking…',
    'applicant.pev.done': 'Uploaded: {name}',
    'applicant.pev.remove': 'Do not attach {name}',
    'applicant.pev.attached': '{n} verified file(s) attached',
  },
);

interface Row {
  key: string;
  fileName: string;
  phase: UploadPhase;
  percent: number;
  evidenceId?: string;
  status?: string;
  problem?: unknown;
}

export function EvidenceAttach(props: {
  /** Unique on the page (input ids). */
  id: string;
  /** What the files are, e.g. "变更申请证明材料". */
  label: string;
  /** `POST` path that declares a file and returns the presigned upload. */
  createPath: string;
  /** `POST` path that confirms an uploaded file. */
  confirmPath: (evidenceId: string) => string;
  /** The platform evidence kind slug, e.g. `change_request`. */
  kind: string;
  /** Called with the ids of the verified files whenever they change. */
  onIds: (ids: string[]) => void;
  disabled?: boolean;
}) {
  const [rows, setRows] = useState<Row[]>([]);
  const update = (key: string, patch: Partial<Row>) =>
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  const ids = rows
    .filter((r) => r.phase === 'done' && r.status === 'verified')
    .flatMap((r) => r.evidenceId ?? []);
  const idsKey = ids.join(',');
  useEffect(() => {
    props.onIds(ids);
  }, [idsKey]);

  const upload = async (file: File) => {
    const key = newIdempotencyKey();
    setRows((rs) => [...rs, { key, fileName: file.name, phase: 'hashing', percent: 0 }]);
    try {
      const checked = await uploadEvidence(file, {
        createPath: props.createPath,
        confirmPath: props.confirmPath,
        kind: props.kind,
        idempotencyKey: key,
        onStep: (step) => update(key, step),
      });
      update(key, { phase: 'done', status: checked.status });
    } catch (problem) {
      update(key, { phase: 'failed', problem });
    }
  };

  const verified = ids.length;
  const busy = rows.some((r) => r.phase !== 'done' && r.phase !== 'failed');
  return (
    <div class="evidence-attach">
      <div class="field">
        <label for={`${props.id}-file`}>{t('applicant.pev.choose', { label: props.label })}</label>
        <input
          id={`${props.id}-file`}
          type="file"
          multiple
          accept=".pdf,.png,.jpg,.jpeg,.zip,.docx,.xlsx,.pptx,.doc"
          disabled={props.disabled || busy}
          aria-describedby={`${props.id}-hint`}
          onChange={(e) => {
            const input = e.target as HTMLInputElement;
            for (const file of Array.from(input.files ?? [])) void upload(file);
            input.value = '';
          }}
        />
        <small id={`${props.id}-hint`}>{t('applicant.pev.hint')}</small>
      </div>
      {rows.length ? (
        <ul class="evidence-rows">
          {rows.map((r) => (
            <li key={r.key}>
              <UploadProgress
                label={t('applicant.pev.progress', { name: r.fileName })}
                percent={r.percent}
                phase={r.phase}
                fileName={r.fileName}
                texts="applicant.pev"
              >
                {' '}
                {r.status ? <Status value={r.status} /> : null}
                {r.phase === 'done' || r.phase === 'failed' ? (
                  <button
                    type="button"
                    class="link"
                    onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))}
                  >
                    {t('applicant.pev.remove', { name: r.fileName })}
                  </button>
                ) : null}
              </UploadProgress>
              {r.phase === 'failed' ? <ProblemBox problem={r.problem} /> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {verified ? <p class="ok">{t('applicant.pev.attached', { n: verified })}</p> : null}
    </div>
  );
}
