/**
 * Part 4: shift handover sheets and supervision reports. Pure computations over events.
 */
export * from './case-replay';
export * from './masking';
export * from './handover-sheet';
export * from './supervision';
export * from './export-rows';
