/**
 * The intake form kept outside the screen (screens/intake-form.ts): the time of the call is
 * taken at the first input, not when the form opened; a time set by hand is kept; the form
 * comes back for the same station only.
 */
import { describe, expect, it } from 'vitest';
import { freshIntakeForm, intakeFormTouched, keepIntakeForm, loadIntakeForm, withField } from '../../../src-renderer/src/screens/intake-form';
import { P110, stationOf } from '../../domain/fixtures';

const desk = stationOf(P110, 'police110', '王强');

describe('intake form', () => {
  it('takes 接报时间 at the first input of a call, not when the form was opened', () => {
    const opened = freshIntakeForm(desk); // e.g. at 22:00, the desk idle since
    const call = new Date('2026-03-02T17:30:00Z'); // 01:30 Beijing time, the phone rings
    const typing = withField(opened, 'callerName', '张', call);
    expect(typing.draft.receivedAt).toBe(call.toISOString());
    expect(typing.receivedStamped).toBe(true);
    // later input in the same call does not move it
    const more = withField(typing, 'callerName', '张建国', new Date('2026-03-02T17:33:00Z'));
    expect(more.draft.receivedAt).toBe(call.toISOString());
    expect(more.draft.callerName).toBe('张建国');
  });

  it('a time the operator sets by hand is kept, and no later input overwrites it', () => {
    const set = withField(freshIntakeForm(desk), 'receivedAt', '2026-03-02T16:00:00.000Z');
    expect(set.receivedTouched).toBe(true);
    const after = withField(set, 'description', '停水', new Date('2026-03-02T17:00:00Z'));
    expect(after.draft.receivedAt).toBe('2026-03-02T16:00:00.000Z');
  });

  it('comes back for the same station after navigating away; another station starts fresh', () => {
    const typed = withField(freshIntakeForm(desk), 'description', '小区停水', new Date('2026-03-02T01:00:00Z'));
    keepIntakeForm(typed);
    expect(loadIntakeForm(desk)).toEqual(typed);
    expect(intakeFormTouched(loadIntakeForm(desk), desk)).toBe(true);
    const other = stationOf({ stationId: 'p110-other', name: '另一接警台' }, 'police110', '李四');
    expect(loadIntakeForm(other).draft.description).toBe('');
    expect(intakeFormTouched(freshIntakeForm(desk), desk)).toBe(false);
  });
});
