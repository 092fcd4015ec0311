import { t } from '../i18n.ts';
import './messages.ts';
import { MEMBER_KINDS, type MemberKind, type Party } from './model.ts';

/**
 * A repeatable list of consortium members or partner institutions: one fieldset per item, every input
 * labelled with its item number (screen readers hear "名称 第 3 项"), add and remove as real buttons.
 */
export function PartyList(props: {
  id: string;
  legend: string;
  items: readonly Party[];
  onChange: (items: Party[]) => void;
  disabled?: boolean;
}) {
  const { id, items } = props;
  const update = (i: number, patch: Partial<Party>) =>
    props.onChange(items.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  if (props.disabled) {
    // Read-only (submitted): a compact list, not ten disabled forms.
    return (
      <section class="party-list" id={id} aria-labelledby={`${id}-title`}>
        <h3 id={`${id}-title`}>
          {props.legend} <small>{t('applicant.app.partners.count', { n: items.length })}</small>
        </h3>
        <ol>
          {items.map((p) => (
            <li key={`${p.name}-${p.uscc ?? ''}`}>
              {p.name} · {t(`applicant.kind.${p.kind}`)}
              {p.uscc ? (
                <>
                  {' '}
                  · <code>{p.uscc}</code>
                </>
              ) : null}
            </li>
          ))}
        </ol>
      </section>
    );
  }
  return (
    <fieldset class="party-list" id={id}>
      <legend>
        {props.legend} <small>{t('applicant.app.partners.count', { n: items.length })}</small>
      </legend>
      <ol>
        {items.map((p, i) => {
          const n = i + 1;
          const row = t('applicant.app.party.row', { n });
          return (
            <li key={i} class="party-row">
              <div class="field">
                <label for={`${id}-${i}-name`}>
                  {t('applicant.app.party.name')} <span class="visually-hidden">{row}</span>
                </label>
                <input
                  id={`${id}-${i}-name`}
                  value={p.name}
                  disabled={props.disabled}
                  onInput={(e) => update(i, { name: (e.target as HTMLInputElement).value })}
                />
              </div>
              <div class="field">
                <label for={`${id}-${i}-kind`}>
                  {t('applicant.app.party.kind')} <span class="visually-hidden">{row}</span>
                </label>
                <select
                  id={`${id}-${i}-kind`}
                  value={p.kind}
                  disabled={props.disabled}
                  onChange={(e) => update(i, { kind: (e.target as HTMLSelectElement).value as MemberKind })}
                >
                  {MEMBER_KINDS.map((k) => (
                    <option key={k} value={k}>
                      {t(`applicant.kind.${k}`)}
                    </option>
                  ))}
                </select>
              </div>
              <div class="field">
                <label for={`${id}-${i}-uscc`}>
                  {t('applicant.app.party.uscc')} <span class="visually-hidden">{row}</span>
                </label>
                <input
                  id={`${id}-${i}-uscc`}
                  value={p.uscc ?? ''}
                  maxLength={18}
                  disabled={props.disabled}
                  onInput={(e) => update(i, { uscc: (e.target as HTMLInputElement).value })}
                />
              </div>
              {props.disabled ? null : (
                <button
                  type="button"
                  class="link"
                  onClick={() => props.onChange(items.filter((_, j) => j !== i))}
                >
                  {t('applicant.app.party.remove', { n })}
                </button>
              )}
            </li>
          );
        })}
      </ol>
      {props.disabled ? null : (
        <button type="button" onClick={() => props.onChange([...items, { name: '', kind: 'company' }])}>
          {t('applicant.app.party.add')} · {props.legend}
        </button>
      )}
    </fieldset>
  );
}
