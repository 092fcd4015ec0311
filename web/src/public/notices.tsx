import { useState } from 'preact/hooks';
import { ApiProblem, get, type PageOf, post } from '../api.ts';
import { addMessages, formatInstant, t } from '../i18n.ts';
import {
  Field,
  fieldError,
  Loading,
  Pager,
  ProblemBox,
  Section,
  TextAreaField,
  useCursor,
  useLoad,
} from '../ui.tsx';
import { Badge, qs } from './common.tsx';

/**
 * Public notices of proposed lists (Art. 8(4)) and the objection form. The form sends what the visitor
 * typed as it is: the server decides what is valid and the page shows its field problems next to the
 * inputs, so the rules live in one place. The objector's identity is never shown back publicly.
 */
addMessages(
  {
    'public.notices': '公示公告',
    'public.noNotices': '暂无公示。',
    'public.notice.period': '公示期',
    'public.notice.periodText': '{first} 至 {last}（{n} 个{unit}，北京时间）',
    'public.notice.window': '受理异议时间：{from} 至 {to}',
    'public.notice.entries': '拟认定平台',
    'public.notice.objections': '已收到异议 {n} 件',
    'public.objection.title': '提出异议',
    'public.objection.intro':
      '公示期内，任何单位或个人可对拟认定平台提出异议。请如实填写姓名或单位名称及联系方式，异议人信息予以保密。',
    'public.objection.closed': '公示期已结束，不再受理异议。',
    'public.objection.application': '异议对象',
    'public.objection.name': '异议人姓名或单位名称',
    'public.objection.type': '异议人类型',
    'public.objection.type.individual': '个人',
    'public.objection.type.organisation': '单位',
    'public.objection.contact': '联系电话或电子邮箱',
    'public.objection.reason': '异议理由',
    'public.objection.reasonHint': '请写明事实和理由，至少 10 个字。',
    'public.objection.submit': '提交异议',
    'public.objection.sending': '提交中…',
    'public.objection.done': '异议已受理，受理编号：{id}。请妥善保存，工作人员将与您联系。',
    'public.objection.another': '再提交一条异议',
  },
  {
    'public.notices': 'Public notices',
    'public.noNotices': 'No public notice yet.',
    'public.notice.period': 'Notice period',
    'public.notice.periodText': '{first} to {last} ({n} {unit}, China Standard Time)',
    'public.notice.window': 'Objections accepted from {from} to {to}',
    'public.notice.entries': 'Proposed platforms',
    'public.notice.objections': '{n} objection(s) received',
    'public.objection.title': 'File an objection',
    'public.objection.intro':
      'During the notice period anyone may object to a proposed platform. Give your real name or organisation and a contact; your identity is kept confidential.',
    'public.objection.closed': 'The notice period is over; objections are no longer accepted.',
    'public.objection.application': 'Objection concerns',
    'public.objection.name': 'Your name or organisation',
    'public.objection.type': 'You object as',
    'public.objection.type.individual': 'an individual',
    'public.objection.type.organisation': 'an organisation',
    'public.objection.contact': 'Telephone or e-mail',
    'public.objection.reason': 'Reason',
    'public.objection.reasonHint': 'State the facts and your reasons (at least 10 characters).',
    'public.objection.submit': 'Submit objection',
    'public.objection.sending': 'Submitting…',
    'public.objection.done':
      'Objection received. Reference number: {id}. Please keep it; the office will contact you.',
    'public.objection.another': 'File another objection',
  },
);

export interface PublicNotice {
  id: string;
  callId: string;
  title: string;
  entries: { applicationId: string; orgName: string; platformSummary: string }[];
  startsAt: string;
  endsAt: string;
  firstDay: string;
  lastDay: string;
  length: number;
  unit: string;
  status: string;
  objectionCount?: number;
}

const period = (n: PublicNotice): string =>
  t('public.notice.periodText', {
    first: n.firstDay,
    last: n.lastDay,
    n: n.length,
    unit: t(`public.unit.${n.unit}`),
  });

export function NoticeList() {
  const pager = useCursor();
  const list = useLoad(
    () => get<PageOf<PublicNotice>>(`/v1/public/notices${qs({ limit: 20, cursor: pager.cursor })}`),
    [pager.cursor],
  );
  return (
    <main id="main" class="public">
      <h1>{t('public.notices')}</h1>
      <ProblemBox problem={list.problem} />
      <Loading when={list.loading}>
        {list.data?.items.length ? (
          <ul class="cards plain">
            {list.data.items.map((n) => (
              <li key={n.id} class="card">
                <h2 class="card-title">
                  <a href={`#/public/notices/${encodeURIComponent(n.id)}`}>{n.title}</a>
                </h2>
                <p>
                  <Badge value={n.status} />
                </p>
                <p>
                  {t('public.notice.period')}: {period(n)}
                </p>
              </li>
            ))}
          </ul>
        ) : (
          <p>{t('public.noNotices')}</p>
        )}
        <Pager label={t('public.pages')} pager={pager} nextCursor={list.data?.nextCursor} />
      </Loading>
    </main>
  );
}

export function NoticeDetail({ params }: { params: Record<string, string> }) {
  const id = params.id ?? '';
  const notice = useLoad(() => get<PublicNotice>(`/v1/public/notices/${encodeURIComponent(id)}`), [id]);
  const n = notice.data;
  return (
    <main id="main" class="public">
      <p>
        <a href="#/public/notices">{t('common.back')}</a>
      </p>
      <ProblemBox problem={notice.problem} />
      <Loading when={notice.loading && !n}>
        {n ? (
          <>
            <h1>{n.title}</h1>
            <p>
              <Badge value={n.status} />{' '}
              {n.objectionCount !== undefined ? t('public.notice.objections', { n: n.objectionCount }) : null}
            </p>
            <dl class="pub-facts">
              <dt>{t('public.notice.period')}</dt>
              <dd>{period(n)}</dd>
            </dl>
            <p>
              {t('public.notice.window', { from: formatInstant(n.startsAt), to: formatInstant(n.endsAt) })}
            </p>
            <Section title={t('public.notice.entries')}>
              <ol class="cards plain">
                {n.entries.map((e) => (
                  <li key={e.applicationId} class="card">
                    <h3>{e.orgName}</h3>
                    <p class="prose">{e.platformSummary}</p>
                  </li>
                ))}
              </ol>
            </Section>
            <Section title={t('public.objection.title')}>
              {n.status === 'open' ? (
                <ObjectionForm notice={n} onFiled={notice.reload} />
              ) : (
                <p>{t('public.objection.closed')}</p>
              )}
            </Section>
          </>
        ) : null}
      </Loading>
    </main>
  );
}

function ObjectionForm({ notice, onFiled }: { notice: PublicNotice; onFiled: () => void }) {
  const [applicationId, setApplicationId] = useState(notice.entries[0]?.applicationId ?? '');
  const [objectorName, setName] = useState('');
  const [objectorType, setType] = useState<'individual' | 'organisation'>('individual');
  const [contact, setContact] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [filed, setFiled] = useState<string>();

  if (filed) {
    return (
      <div class="confirmation" role="status">
        <p class="ok">{t('public.objection.done', { id: filed })}</p>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            setFiled(undefined);
            setReason('');
          }}
        >
          {t('public.objection.another')}
        </button>
      </div>
    );
  }
  const reasonError = fieldError(problem, 'reason');
  return (
    <form
      noValidate
      aria-describedby="objection-intro"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setProblem(undefined);
        try {
          const res = await post<{ id: string }>(
            `/v1/public/notices/${encodeURIComponent(notice.id)}/objections`,
            { applicationId, objectorName, objectorType, contact, reason },
            { token: null },
          );
          setFiled(res.id);
          onFiled();
        } catch (err) {
          setProblem(err instanceof ApiProblem ? err : new ApiProblem(0, undefined, String(err)));
        } finally {
          setBusy(false);
        }
      }}
    >
      <p id="objection-intro">{t('public.objection.intro')}</p>
      <ProblemBox problem={problem} />
      <div class="field">
        <label for="objection-application">{t('public.objection.application')}</label>
        <select
          id="objection-application"
          value={applicationId}
          onChange={(e) => setApplicationId((e.target as HTMLSelectElement).value)}
        >
          {notice.entries.map((en) => (
            <option key={en.applicationId} value={en.applicationId}>
              {en.orgName}
            </option>
          ))}
        </select>
      </div>
      <Field
        id="objector-name"
        label={t('public.objection.name')}
        value={objectorName}
        onInput={setName}
        required
        error={fieldError(problem, 'objectorName')}
      />
      <fieldset class="field">
        <legend>{t('public.objection.type')}</legend>
        {(['individual', 'organisation'] as const).map((v) => (
          <label key={v} class="inline">
            <input
              type="radio"
              name="objector-type"
              value={v}
              checked={objectorType === v}
              onChange={() => setType(v)}
            />{' '}
            {t(`public.objection.type.${v}`)}
          </label>
        ))}
      </fieldset>
      <Field
        id="objector-contact"
        label={t('public.objection.contact')}
        value={contact}
        onInput={setContact}
        required
        error={fieldError(problem, 'contact')}
      />
      <TextAreaField
        id="objection-reason"
        label={t('public.objection.reason')}
        rows={5}
        required
        value={reason}
        hint={t('public.objection.reasonHint')}
        error={reasonError}
        onInput={setReason}
      />
      <button type="submit" disabled={busy}>
        {busy ? t('public.objection.sending') : t('public.objection.submit')}
      </button>
    </form>
  );
}
