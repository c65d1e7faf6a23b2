/**
 * Who a hand-over is waiting for. A transfer or assignment names its receiver by station id,
 * or by kind: any 12345 hotline desk, or the duty room of a department. This is the one place
 * that matches a receiver to a station; the store indexes it as `awaitingKey`.
 */
import type { HandoverTarget } from './events';
import type { Role } from './vocabulary';

export interface StationIdentity {
  stationId: string;
  role: Role;
  department?: string | null;
}

/** The index key of a receiver: `station:<id>`, `hotline`, or `dept:<code>`. */
export function awaitingKeyOf(target: HandoverTarget | null): string | null {
  if (!target) return null;
  if (target.stationId) return `station:${target.stationId}`;
  if (target.kind === 'hotline') return 'hotline';
  if (target.department) return `dept:${target.department}`;
  return null;
}

/** Every key under which a hand-over may be waiting for this station. */
export function awaitingKeysOf(station: StationIdentity): string[] {
  const keys = [`station:${station.stationId}`];
  if (station.role === 'hotline12345') keys.push('hotline');
  if (station.role === 'unit' && station.department) keys.push(`dept:${station.department}`);
  return keys;
}

export function targetMatchesStation(target: HandoverTarget | null, station: StationIdentity): boolean {
  const key = awaitingKeyOf(target);
  return key !== null && awaitingKeysOf(station).includes(key);
}
