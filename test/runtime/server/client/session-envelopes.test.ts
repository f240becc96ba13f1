import { validateContract } from '../../../../runtime/contracts/v1';
import { SessionEnvelopes } from '../../../../runtime/server/client/session-envelopes';

describe('SessionEnvelopes (client side of rspp.session.v1)', () => {
  test('every builder produces a contracts v1-valid envelope', () => {
    const e = new SessionEnvelopes('s-1', 3, 'simple/v1', () => 1000);
    expect(validateContract('ControlSignal', e.proposeTurn('t1'))).toBeUndefined();
    expect(validateContract('EventRecord', e.data('t1'))).toBeUndefined();
    expect(validateContract('EventRecord', e.data('t1', { payloadClass: 'audio_raw', edgeId: 'default' }))).toBeUndefined();
    expect(validateContract('ControlSignal', e.cancel('t1'))).toBeUndefined();
    expect(validateContract('ControlSignal', e.playbackCompleted('t1'))).toBeUndefined();
  });

  test('dataFrame() is byte-identical to JSON.stringify(data()) and advances the same sequence', () => {
    let now = 5;
    const fast = new SessionEnvelopes('s"quoted\\id', 7, 'simple/v1', () => now);
    const slow = new SessionEnvelopes('s"quoted\\id', 7, 'simple/v1', () => now);
    for (let i = 0; i < 5; i++) {
      now += 3;
      expect(fast.dataFrame('t\n1', `ev-${i}`)).toBe(JSON.stringify(slow.data('t\n1', { eventId: `ev-${i}` })));
    }
    expect(JSON.parse(fast.dataFrame('t1', 'x')).runtime_sequence).toBe(6);
  });
});
