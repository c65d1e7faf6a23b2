import { z } from 'zod';
import { StationIdSchema } from './events';
import { ROLES } from './vocabulary';

/** A station: one desk (one PC) of the linked system. */
export const StationSchema = z.object({
  stationId: StationIdSchema,
  name: z.string().trim().min(2, '站点名称至少 2 个字').max(60, '站点名称不能超过 60 个字'),
  role: z.enum(ROLES, { error: '请选择岗位' }),
  district: z.string().trim().min(2, '请填写所属区县').max(40, '区县名称过长'),
  operator: z.string().trim().min(1, '请填写值班员').max(40, '值班员姓名过长'),
  /** county mode: 110 notifies the linked unit directly instead of 12345 */
  countyMode: z.boolean().default(false),
  /**
   * A unit station's department (catalogue department code, e.g. "housing"): assignments to
   * that department reach this desk. Null for other roles and for units not yet linked.
   */
  department: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, '部门编码不正确')
    .nullable()
    .default(null),
});
/** A parsed station always has `department` (null by default); a hand-built one may omit it. */
export type Station = Omit<z.infer<typeof StationSchema>, 'department'> & { department?: string | null };

/** A station id made from a random suffix: stable, unique enough, ascii. */
export function newStationId(role: string, random: () => number = Math.random): string {
  const prefix = { police110: 'p110', hotline12345: 'h12345', unit: 'unit', supervisor: 'sup' }[role] ?? 'st';
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += 'abcdefghjkmnpqrstuvwxyz23456789'[Math.floor(random() * 31)];
  return `${prefix}-${suffix}`;
}
