import { useState } from 'preact/hooks';
import { checkUscc, normaliseUscc } from '../../../../functions/core/uscc.ts';
import { get, post } from '../../api.ts';
import { formatInstant, t, useLang } from '../../i18n.ts';
import {
  DataTable,
  Field,
  fieldError,
  Loading,
  Pager,
  ProblemBox,
  Section,
  useCursor,
  useLoad,
  useRun,
} from '../../ui.tsx';
import { enc, useKeyedForm } from './common.tsx';
import './messages.ts';

/**
 * The expert pool of the comprehensive review (Art. 8(3)), for officers and admins: who the experts
 * are, their specialities, and their employer's unified social credit code — the affiliation the server
 * checks for conflicts of interest when an expert is assigned (employer = applicant, consortium member
 * or partner → refused). One expert per user account.
 */
interface Expert {
  id: string;
  userId: string;
  name: string;
  employerUscc: string;
  fields: string[];
  createdAt: string;
}

export function Experts() {
  useLang();
  const pager = useCursor();
  const list = useLoad(
    () =>
      get<{ items: Expert[]; nextCursor?: string }>(
        `/v1/experts?limit=50${pager.cursor ? `&cursor=${enc(pager.cursor)}` : ''}`,
      ),
    [pager.cursor],
  );
  const [notice, setNotice] = useState('');
  return (
    <main id="main">
      <h1>{t('fin.experts')}</h1>
      <p class="fin-lead">{t('fin.experts.lead')}</p>
      <p role="status" class="ok">
        {notice}
      </p>
      <ProblemBox problem={list.problem} />
      <Loading when={list.loading && !list.data}>
        {list.data?.items.length ? (
          <DataTable<Expert>
            label={t('fin.experts.list')}
            rows={list.data.items}
            rowKey={(x) => x.id}
            columns={[
              { header: t('fin.experts.name'), cell: (x) => x.name },
              { header: t('fin.experts.userId'), cell: (x) => <code>{x.userId}</code> },
              { header: t('fin.experts.employer'), cell: (x) => <code>{x.employerUscc}</code> },
              { header: t('fin.experts.fields'), cell: (x) => x.fields.join('、') || '—' },
              { header: t('fin.experts.createdAt'), cell: (x) => formatInstant(x.createdAt) },
            ]}
          />
        ) : (
          <p>{t('fin.experts.none')}</p>
        )}
        <Pager
          class="fin-pager"
          label={t('fin.experts.list')}
          pager={pager}
          nextCursor={list.data?.nextCursor}
        />
      </Loading>
      <CreateExpert
        onDone={(name) => {
          setNotice(t('fin.experts.created', { name }));
          pager.reset();
          list.reload();
        }}
      />
    </main>
  );
}

function CreateExpert({ onDone }: { onDone: (name: string) => void }) {
  const empty = { userId: '', name: '', employerUscc: '', fields: '' };
  const { form, setForm, set, key, renewKey } = useKeyedForm(empty);
  const { problem, busy, submit } = useRun();
  // The same USCC rules as the server, as a hint while typing (the server decides).
  const code = normaliseUscc(form.employerUscc);
  // A complete code that fails is marked on the field (aria-invalid), not only hinted.
  const live = code.length === 18 ? checkUscc(code) : undefined;
  const usccBad =
    code.length > 18
      ? t('fin.experts.usccLength', { n: code.length })
      : live && !(live.valid && live.checkDigitOk)
        ? t('fin.experts.usccBad')
        : undefined;
  const usccHint =
    !code || usccBad
      ? t('fin.experts.employerHint')
      : code.length !== 18
        ? t('fin.experts.usccLength', { n: code.length })
        : t('fin.experts.usccOk');
  const save = submit(async () => {
    await post(
      '/v1/experts',
      {
        userId: form.userId.trim(),
        name: form.name.trim(),
        employerUscc: code,
        fields: form.fields
          .split(/[\n,，、;；]/)
          .map((x) => x.trim())
          .filter(Boolean),
      },
      { idempotencyKey: key },
    );
    onDone(form.name.trim());
    setForm(empty);
    renewKey();
  });
  return (
    <Section title={t('fin.experts.create')}>
      <form onSubmit={save}>
        <Field
          id="expert-name"
          label={t('fin.experts.name')}
          value={form.name}
          onInput={set('name')}
          error={fieldError(problem, 'name')}
          required
        />
        <Field
          id="expert-user"
          label={t('fin.experts.userId')}
          value={form.userId}
          onInput={set('userId')}
          hint={t('fin.experts.userHint')}
          error={fieldError(problem, 'userId')}
          required
        />
        <Field
          id="expert-employer"
          label={t('fin.experts.employer')}
          value={form.employerUscc}
          onInput={set('employerUscc')}
          hint={usccHint}
          error={fieldError(problem, 'employerUscc') ?? usccBad}
          required
        />
        <div class="field">
          <label for="expert-fields">{t('fin.experts.fieldsInput')}</label>
          <textarea
            id="expert-fields"
            rows={3}
            value={form.fields}
            onInput={(e) => set('fields')((e.target as HTMLTextAreaElement).value)}
          />
        </div>
        <ProblemBox problem={problem} />
        <button type="submit" disabled={busy}>
          {t('fin.experts.submit')}
        </button>
      </form>
    </Section>
  );
}
