/**
 * The intake form as typed so far, kept outside the screen: an operator who looks at the list
 * (F3), opens a possible duplicate or an alert in the middle of a call, and comes back finds
 * everything as it was; a reload of the window too (sessionStorage, this window only). It is
 * cleared when the case is saved or the operator clears the form.
 *
 * The time of the call (接报时间) is taken when the operator starts typing it in, not when the
 * form was opened: a 110 desk sits on the intake screen between calls, for hours at night.
 */
import { emptyDraft, type IntakeDraft, type Station } from '../../../src-common/domain';

export interface IntakeForm {
  stationId: string;
  draft: IntakeDraft;
  wantTransfer: boolean;
  threeWayCall: boolean;
  transferNote: string;
  urgencyTouched: boolean;
  /** the operator set 接报时间 by hand: leave it */
  receivedTouched: boolean;
  /** 接报时间 was taken at the first input of this call */
  receivedStamped: boolean;
}

const STORAGE_KEY = 'relay-desk:intake-form';
let kept: IntakeForm | null = null;

export function freshIntakeForm(station: Station): IntakeForm {
  return {
    stationId: station.stationId,
    draft: emptyDraft(station),
    wantTransfer: true,
    threeWayCall: false,
    transferNote: '',
    urgencyTouched: false,
    receivedTouched: false,
    receivedStamped: false,
  };
}

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

/** The form kept for this station (after navigating away, or a reload), or a fresh one. */
export function loadIntakeForm(station: Station): IntakeForm {
  if (!kept) {
    try {
      const text = storage()?.getItem(STORAGE_KEY);
      if (text) kept = JSON.parse(text) as IntakeForm;
    } catch {
      kept = null;
    }
  }
  return kept && kept.stationId === station.stationId && kept.draft ? kept : freshIntakeForm(station);
}

export function keepIntakeForm(form: IntakeForm): void {
  kept = form;
  try {
    storage()?.setItem(STORAGE_KEY, JSON.stringify(form));
  } catch {
    // a full or disabled storage only loses the reload case
  }
}

/** Whether anything was typed into the form (beyond the defaults the station fills in). */
export function intakeFormTouched(form: IntakeForm, station: Station): boolean {
  const fresh = emptyDraft(station);
  return (Object.keys(fresh) as Array<keyof IntakeDraft>).some((k) => k !== 'receivedAt' && JSON.stringify(form.draft[k]) !== JSON.stringify(fresh[k]));
}

/** One field changed: the form after it, with 接报时间 taken at the first input of a call. */
export function withField<K extends keyof IntakeDraft>(form: IntakeForm, key: K, value: IntakeDraft[K], now: Date = new Date()): IntakeForm {
  const draft = { ...form.draft, [key]: value };
  if (key === 'receivedAt') return { ...form, draft, receivedTouched: true };
  if (!form.receivedTouched && !form.receivedStamped) return { ...form, draft: { ...draft, receivedAt: now.toISOString() }, receivedStamped: true };
  return { ...form, draft };
}
