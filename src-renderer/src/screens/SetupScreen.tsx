/** First run: who and where this desk is. */
import { useState, type FormEvent } from 'react';
import { loadDefaultCatalogue, newStationId, ROLE_LABELS, ROLES, StationSchema, type Role } from '../../../src-common/domain';
import { DISTRICTS } from '../app/districts';
import { homeRoute, useDesk } from '../app/desk-store';
import { saveStation } from '../app/station-settings';

export function SetupScreen() {
  const db = useDesk((s) => s.db)!;
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role | ''>('');
  const [district, setDistrict] = useState('');
  const [operator, setOperator] = useState('');
  const [countyMode, setCountyMode] = useState(false);
  const [stationId, setStationId] = useState('');
  const [department, setDepartment] = useState('');
  const catalogue = loadDefaultCatalogue();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const candidate = {
      stationId: stationId.trim() || newStationId(role || 'st'),
      name,
      role: role || undefined,
      district,
      operator,
      countyMode,
      department: role === 'unit' ? department || null : null,
    };
    const parsed = StationSchema.safeParse(candidate);
    const next: Record<string, string> = {};
    if (!parsed.success) for (const issue of parsed.error.issues) next[String(issue.path[0])] ??= issue.message;
    if (role === 'unit' && !department) next.department = '请选择本单位所属部门（接收哪类派单）';
    if (!parsed.success || Object.keys(next).length > 0) {
      setErrors(next);
      return;
    }
    setBusy(true);
    const station = await saveStation(db, parsed.data);
    useDesk.getState().setStation(station);
    useDesk.getState().navigate(homeRoute(station.role));
  }

  return (
    <div className="center-screen">
      <form className="panel" onSubmit={submit} noValidate aria-label="站点设置">
        <h1>接转办工作台 · 首次设置</h1>
        <p className="lead">请设置本机所在的站点。数据保存在本机，没有网络也能照常接报、转办。</p>
        <div className="grid">
          <div className={`field ${errors.name ? 'invalid' : ''}`}>
            <label htmlFor="setup-name" className="req">站点名称</label>
            <input id="setup-name" type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder="如：兰山公安分局 110 接警台" autoFocus />
            {errors.name && <span className="error">{errors.name}</span>}
          </div>
          <fieldset className={`field ${errors.role ? 'invalid' : ''}`} style={{ border: 0, padding: 0, margin: 0 }}>
            <legend className="label req" style={{ fontSize: 12, color: 'var(--muted)', marginBottom: 4 }}>岗位</legend>
            <div className="choices" role="radiogroup">
              {ROLES.map((r) => (
                <label key={r}>
                  <input type="radio" name="role" value={r} checked={role === r} onChange={() => setRole(r)} />
                  {ROLE_LABELS[r]}
                </label>
              ))}
            </div>
            {errors.role && <span className="error">{errors.role}</span>}
          </fieldset>
          <div className={`field ${errors.district ? 'invalid' : ''}`}>
            <label htmlFor="setup-district" className="req">所属区县</label>
            <input id="setup-district" type="text" list="district-list" value={district} onChange={(e) => setDistrict(e.target.value)} placeholder="如：兰山区" />
            <datalist id="district-list">{DISTRICTS.map((d) => <option key={d} value={d} />)}</datalist>
            {errors.district && <span className="error">{errors.district}</span>}
          </div>
          <div className={`field ${errors.operator ? 'invalid' : ''}`}>
            <label htmlFor="setup-operator" className="req">当班值班员</label>
            <input id="setup-operator" type="text" value={operator} onChange={(e) => setOperator(e.target.value)} placeholder="姓名或工号" />
            {errors.operator && <span className="error">{errors.operator}</span>}
          </div>
          <div className={`field ${errors.stationId ? 'invalid' : ''}`}>
            <label htmlFor="setup-station-id">站点编号（可选）</label>
            <input id="setup-station-id" type="text" value={stationId} onChange={(e) => setStationId(e.target.value)} placeholder="中心已登记本站时填写；留空则自动生成" />
            {errors.stationId && <span className="error">{errors.stationId}</span>}
          </div>
          {role === 'unit' && (
            <div className={`field ${errors.department ? 'invalid' : ''}`}>
              <label htmlFor="setup-department" className="req">所属部门（职责目录）</label>
              <select id="setup-department" value={department} onChange={(e) => setDepartment(e.target.value)}>
                <option value="">请选择</option>
                {catalogue.departments.map((d) => <option key={d.code} value={d.code}>{d.name}</option>)}
              </select>
              {errors.department && <span className="error">{errors.department}</span>}
            </div>
          )}
          {role === 'police110' && (
            <label className="checks">
              <input type="checkbox" checked={countyMode} onChange={(e) => setCountyMode(e.target.checked)} />
              县区模式：110 直接通报社会联动单位（不经 12345）
            </label>
          )}
          <div className="btn-row">
            <button type="submit" className="btn primary" disabled={busy}>开始使用</button>
          </div>
        </div>
      </form>
    </div>
  );
}
