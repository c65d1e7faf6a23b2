/**
 * The words of the domain (DOMAIN.md, "Words the product uses"): enumerations with their
 * Simplified Chinese labels. The labels are part of the domain's vocabulary, so they live
 * here and every screen and report uses the same ones.
 */
export const ROLES = ['police110', 'hotline12345', 'unit', 'supervisor'] as const;
export type Role = (typeof ROLES)[number];
export const ROLE_LABELS: Record<Role, string> = {
  police110: '110 接警台',
  hotline12345: '12345 热线',
  unit: '部门/单位值班室',
  supervisor: '值班长/督办',
};

export const CHANNELS = ['call110', 'call12345', 'walkIn', 'transfer', 'online'] as const;
export type Channel = (typeof CHANNELS)[number];
export const CHANNEL_LABELS: Record<Channel, string> = {
  call110: '110 来电',
  call12345: '12345 来电',
  walkIn: '来访',
  transfer: '转办',
  online: '网上求助',
};

export const NATURES = ['consultation', 'help', 'complaint', 'suggestion', 'report'] as const;
export type Nature = (typeof NATURES)[number];
export const NATURE_LABELS: Record<Nature, string> = {
  consultation: '咨询',
  help: '求助',
  complaint: '投诉',
  suggestion: '建议',
  report: '举报',
};

export const URGENCIES = ['urgent', 'normal'] as const;
export type Urgency = (typeof URGENCIES)[number];
export const URGENCY_LABELS: Record<Urgency, string> = { urgent: '紧急', normal: '一般' };

export const VERDICTS = ['police', 'nonPolice', 'mixed'] as const;
export type Verdict = (typeof VERDICTS)[number];
export const VERDICT_LABELS: Record<Verdict, string> = {
  police: '警务类',
  nonPolice: '非警务类',
  mixed: '警务与非警务交织',
};

/**
 * Where a case stands. `new`: received, not yet screened; `police`: a police matter kept by
 * 110; `pending`: non-police, in its owner's hands awaiting transfer or assignment;
 * `transferred` / `assigned`: handed over, waiting for acknowledgement (the sender still owns
 * it: first-contact responsibility); `acknowledged`: the department is acting; `returned`:
 * sent back as misrouted; `feedback`: the department reported, awaiting callback and closing;
 * `closed`.
 */
export const STATUSES = [
  'new',
  'police',
  'pending',
  'transferred',
  'assigned',
  'acknowledged',
  'returned',
  'feedback',
  'closed',
] as const;
export type Status = (typeof STATUSES)[number];
export const STATUS_LABELS: Record<Status, string> = {
  new: '待甄别',
  police: '警务处置',
  pending: '待转派',
  transferred: '已转办待签收',
  assigned: '已派单待签收',
  acknowledged: '已签收办理中',
  returned: '已退回',
  feedback: '已反馈待回访',
  closed: '已办结',
};
export const OPEN_STATUSES: readonly Status[] = STATUSES.filter((s) => s !== 'closed');

export const FEEDBACK_RESULTS = ['resolved', 'partlyResolved', 'unresolved', 'explained'] as const;
export type FeedbackResult = (typeof FEEDBACK_RESULTS)[number];
export const FEEDBACK_RESULT_LABELS: Record<FeedbackResult, string> = {
  resolved: '已解决',
  partlyResolved: '部分解决',
  unresolved: '未解决',
  explained: '已解释说明',
};

export const SATISFACTIONS = ['satisfied', 'basicallySatisfied', 'unsatisfied', 'unreachable'] as const;
export type Satisfaction = (typeof SATISFACTIONS)[number];
export const SATISFACTION_LABELS: Record<Satisfaction, string> = {
  satisfied: '满意',
  basicallySatisfied: '基本满意',
  unsatisfied: '不满意',
  unreachable: '未联系上',
};
