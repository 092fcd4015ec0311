import { useState } from 'preact/hooks';
import { checkUscc, normaliseUscc } from '../../../functions/core/uscc.ts';
import { newIdempotencyKey, post } from '../api.ts';
import { t, useLang } from '../i18n.ts';
import { navigate } from '../router.ts';
import { Field, fieldError, Loading, ProblemBox, useLoad, useRun } from '../ui.tsx';
import { OrganisationFacts } from './Dashboard.tsx';
import './messages.ts';
import { myOrganisation } from './model.ts';
import { ApplicantNav } from './Notifications.tsx';

/**
 * Live feedback on a unified social credit code while it is typed, from the same GB 32100-2015 rules the
 * server applies (`functions/core/uscc.ts` is pure TypeScript, so the browser runs it too). The server
 * stays the judge: its answer on submit is what is stored.
 */
export function usccFeedback(raw: string): { ok: boolean; text: string } | undefined {
  const code = normaliseUscc(raw);
  if (!code) return undefined;
  if (code.length !== 18) return { ok: false, text: t('applicant.reg.uscc.length', { n: code.length }) };
  const c = checkUscc(code);
  const badChars = [...code].filter((ch) => !'0123456789ABCDEFGHJKLMNPQRTUWXY'.includes(ch));
  if (badChars.length)
    return { ok: false, text: t('applicant.reg.uscc.charset', { chars: badChars.join(' ') }) };
  if (!c.valid) return { ok: false, text: t('applicant.reg.uscc.structure') };
  if (!c.checkDigitOk)
    return {
      ok: false,
      text: t('applicant.reg.uscc.check', { got: code.charAt(17), expected: c.expectedCheckChar ?? '?' }),
    };
  if (!c.inZhongshan) return { ok: false, text: t('applicant.reg.uscc.region', { region: c.regionCode }) };
  return { ok: true, text: t('applicant.reg.uscc.ok', { region: c.regionCode }) };
}

/** `#/apply/organisation`: the registration form, or the organisation when one is registered already. */
export function RegisterOrganisation() {
  useLang();
  const mine = useLoad(myOrganisation);
  return (
    <main id="main" class="applicant">
      <ApplicantNav />
      <h1>{mine.data ? t('applicant.org') : t('applicant.reg.title')}</h1>
      <ProblemBox problem={mine.problem} />
      <Loading when={mine.loading}>
        {mine.data ? (
          <>
            <OrganisationFacts org={mine.data} />
            <p>
              <a href="#/apply">{t('applicant.dashboard')}</a>
            </p>
          </>
        ) : mine.problem ? null : (
          <RegistrationForm />
        )}
      </Loading>
    </main>
  );
}

function RegistrationForm() {
  const [form, setForm] = useState({
    name: '',
    uscc: '',
    registeredCapitalCny: '',
    address: '',
    legalRepresentative: '',
    contactName: '',
    phone: '',
    email: '',
  });
  const { problem, busy, submit } = useRun();
  // One key per filled-in form: a retry after a lost answer does not register twice.
  const [idemKey] = useState(newIdempotencyKey);
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const feedback = usccFeedback(form.uscc);
  const serverUscc = fieldError(problem, 'uscc');
  const describedBy = ['uscc-hint', feedback ? 'uscc-feedback' : '', serverUscc ? 'uscc-error' : '']
    .filter(Boolean)
    .join(' ');

  const register = submit(async () => {
    await post(
      '/v1/organisations',
      {
        name: form.name,
        uscc: form.uscc,
        registeredCapitalCny: Number(form.registeredCapitalCny.replace(/[,\s]/g, '')),
        address: form.address,
        legalRepresentative: form.legalRepresentative,
        contact: { name: form.contactName, phone: form.phone, email: form.email },
      },
      { idempotencyKey: idemKey },
    );
    navigate('/apply');
  });

  return (
    <form onSubmit={register} noValidate>
      <Field
        id="org-name"
        label={t('applicant.reg.name')}
        value={form.name}
        onInput={set('name')}
        required
        error={fieldError(problem, 'name')}
      />
      <div class="field">
        <label for="uscc">
          {t('applicant.reg.uscc')}
          <span aria-hidden="true"> *</span>
        </label>
        <input
          id="uscc"
          name="uscc"
          value={form.uscc}
          required
          maxLength={18}
          autoComplete="off"
          spellcheck={false}
          aria-invalid={feedback && !feedback.ok ? 'true' : undefined}
          aria-describedby={describedBy}
          onInput={(e) => set('uscc')((e.target as HTMLInputElement).value)}
        />
        <small id="uscc-hint">{t('applicant.reg.uscc.hint')}</small>
        <p
          id="uscc-feedback"
          class={feedback ? (feedback.ok ? 'ok' : 'error') : undefined}
          role="status"
          aria-live="polite"
        >
          {feedback?.text ?? ''}
        </p>
        {serverUscc ? (
          <small id="uscc-error" class="error" role="alert">
            {serverUscc}
          </small>
        ) : null}
      </div>
      <Field
        id="org-capital"
        label={t('applicant.reg.capital')}
        type="number"
        value={form.registeredCapitalCny}
        onInput={set('registeredCapitalCny')}
        required
        error={fieldError(problem, 'registeredCapitalCny')}
      />
      <Field
        id="org-address"
        label={t('applicant.reg.address')}
        value={form.address}
        onInput={set('address')}
        required
        error={fieldError(problem, 'address')}
      />
      <Field
        id="org-legal-rep"
        label={t('applicant.reg.legalRep')}
        value={form.legalRepresentative}
        onInput={set('legalRepresentative')}
        required
        error={fieldError(problem, 'legalRepresentative')}
      />
      <Field
        id="org-contact"
        label={t('applicant.reg.contactName')}
        value={form.contactName}
        onInput={set('contactName')}
        required
        error={fieldError(problem, 'contact.name')}
      />
      <Field
        id="org-phone"
        label={t('applicant.reg.phone')}
        type="tel"
        value={form.phone}
        onInput={set('phone')}
        required
        error={fieldError(problem, 'contact.phone')}
      />
      <Field
        id="org-email"
        label={t('applicant.reg.email')}
        type="email"
        value={form.email}
        onInput={set('email')}
        required
        error={fieldError(problem, 'contact.email')}
      />
      <ProblemBox problem={problem} />
      <button type="submit" disabled={busy}>
        {t('applicant.reg.submit')}
      </button>
    </form>
  );
}
