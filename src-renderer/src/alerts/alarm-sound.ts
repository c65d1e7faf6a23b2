/**
 * A loud two-tone alarm through Web Audio, so an urgent alert is heard even where the system
 * notification is silent (the browser edition, a muted notification centre).
 */
let context: AudioContext | null = null;

export function playAlarm(urgent: boolean): void {
  try {
    context ??= new AudioContext();
    const ctx = context;
    if (ctx.state === 'suspended') void ctx.resume();
    const tones = urgent ? [880, 660, 880, 660, 880, 660] : [740];
    tones.forEach((freq, i) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'square';
      osc.frequency.value = freq;
      const start = ctx.currentTime + i * 0.28;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.25);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + 0.26);
    });
  } catch {
    // no audio device: the notification and the on-screen list still carry the alert
  }
}
