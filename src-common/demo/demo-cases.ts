/**
 * Demo and benchmark data: a seeded, deterministic generator of realistic cases for one
 * station, as the commands that station would have recorded. Same seed, station, options and
 * `now` give the same commands, byte for byte (case ids included; the store adds event ids).
 *
 * What it makes, per case:
 * - one intake save (`case.created`, plus at a 110 desk `case.screened` and, for most
 *   non-police calls, `case.transferred` to 12345 or, in county mode, to the linked unit; at
 *   a 12345 desk most cases are assigned to the catalogue's department), all at one time as
 *   the intake form records them;
 * - sometimes a later note, and for police matters at 110 usually a closing.
 *
 * Callers, addresses (临沂市 districts and counties), and descriptions are made up from
 * templates written per catalogue category, so every category has believable text whose
 * nature (咨询/求助/投诉/建议/举报) matches what it says.
 *
 * Pure: no Electron, React, Dexie or HTTP.
 */
import {
  loadDefaultCatalogue,
  listCategories,
  type Catalogue,
  type Category,
  type Department,
} from '../domain/catalogue';
import type { Command, HandoverTarget } from '../domain/events';
import { HOTLINE_TARGET, caseNoDay, formatCaseNo } from '../domain/intake';
import type { Station } from '../domain/station';
import { transferAckDueBy } from '../domain/time-limits';
import type { Channel, Nature, Urgency, Verdict } from '../domain/vocabulary';

// ---------------------------------------------------------------------------------------
// Random numbers
// ---------------------------------------------------------------------------------------

/** mulberry32: a small, fast, seeded 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** integer in [lo, hi], both inclusive */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** index chosen with the given (non-negative) weights */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((s, w) => s + w, 0);
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID whose 80 random bits come from the seeded generator, so case ids are reproducible. */
function seededUlid(time: number, rng: Rng): string {
  let t = time;
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = CROCKFORD[t % 32] + head;
    t = Math.floor(t / 32);
  }
  let tail = '';
  for (let i = 0; i < 16; i++) tail += CROCKFORD[rng.int(0, 31)];
  return head + tail;
}

// ---------------------------------------------------------------------------------------
// People and places
// ---------------------------------------------------------------------------------------

/** Common surnames (Shandong and Linyi are heavy on 王、张、李、刘、徐、孙). */
const SURNAMES = [
  '王', '王', '王', '张', '张', '张', '李', '李', '李', '刘', '刘', '徐', '徐', '孙', '孙', '陈', '杨', '赵',
  '高', '杜', '朱', '马', '于', '庞', '魏', '宋', '郑', '薛', '韩', '胡', '吴', '周', '姜', '颜', '曹', '袁',
  '邵', '葛', '公', '厉', '诸葛', '丁', '彭', '崔', '潘', '田', '冯', '董', '程', '褚',
];
const GIVEN_CHARS = [
  '伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英',
  '霞', '平', '刚', '桂英', '建国', '建华', '玉兰', '志强', '海燕', '红梅', '庆华', '春花', '宝山', '凤英', '新民',
  '文杰', '子涵', '浩然', '梓轩', '雨桐', '欣怡', '晓东', '立新', '德胜', '永红', '立峰', '丽娟', '长青', '兆华',
];
const MOBILE_PREFIXES = [
  '130', '131', '132', '133', '134', '135', '136', '137', '138', '139', '150', '151', '152', '153', '155', '156',
  '157', '158', '159', '166', '176', '177', '178', '180', '181', '182', '183', '185', '186', '187', '188', '189',
  '198', '199',
];

interface Place {
  district: string;
  urban: boolean;
  streets: readonly string[];
  estates: readonly string[];
  towns: readonly string[];
}

const GENERIC_ESTATES = [
  '幸福小区', '阳光花园', '金色家园', '锦绣华庭', '御景苑', '和谐家园', '城南新区', '文化苑', '育才小区', '滨河花园',
  '翰林苑', '富康小区', '东方明珠小区', '盛世华城', '康乐苑', '建设小区', '供销小区', '教师公寓', '新华书店家属院',
];

/** 临沂市: three districts and nine counties. Street and estate names are made-up but typical. */
const PLACES: readonly Place[] = [
  {
    district: '兰山区',
    urban: true,
    streets: ['解放路', '沂蒙路', '通达路', '北京路', '金雀山路', '涑河北街', '兰山路', '临西五路', '开阳路', '蒙山大道', '水田路', '银雀山路', '工业大道', '华夏路'],
    estates: ['凤凰城小区', '沂河花园', '金雀山小区', '书香苑', '华丰小区', '阳光城', '府右花园', '丽景苑', '东方国际', '新华小区', '银雀山小区', '八一小区'],
    towns: ['柳青街道', '银雀山街道', '兰山街道', '金雀山街道', '白沙埠镇', '李官镇', '方城镇', '汪沟镇', '马厂湖镇', '半程镇'],
  },
  {
    district: '罗庄区',
    urban: true,
    streets: ['湖北路', '沂河路', '罗七路', '双月湖路', '湖南路', '龙潭路', '罗庄路', '傅庄路', '盛庄路'],
    estates: ['盛庄小区', '罗庄花园', '湖畔小区', '傅庄新村', '双月湖家园', '沂河湾小区', '龙潭花园'],
    towns: ['罗庄街道', '盛庄街道', '傅庄街道', '册山街道', '高都街道', '褚墩镇', '黄山镇', '沂堂镇'],
  },
  {
    district: '河东区',
    urban: true,
    streets: ['滨河东路', '东兴路', '人民大街', '温泉路', '凤凰大街', '沂河东路', '九曲路', '芝麻墩路', '东夷大街'],
    estates: ['九曲小区', '芝麻墩花园', '河东新城', '滨河小区', '凤凰苑', '温泉花园', '东城家园'],
    towns: ['九曲街道', '芝麻墩街道', '汤河镇', '汤头街道', '相公街道', '太平街道', '郑旺镇', '八湖镇'],
  },
  {
    district: '郯城县',
    urban: false,
    streets: ['人民路', '建设路', '郯东路', '东岳庙路', '金山路', '新村路'],
    estates: ['郯城花园', '银杏小区', ...GENERIC_ESTATES.slice(0, 6)],
    towns: ['郯城街道', '马头镇', '重坊镇', '李庄镇', '港上镇', '红花镇', '归昌乡', '花园乡', '庙山镇'],
  },
  {
    district: '沂南县',
    urban: false,
    streets: ['振兴路', '历山路', '澳柯玛大街', '人民路', '隋山路'],
    estates: ['历山花园', '诸葛亮故里小区', ...GENERIC_ESTATES.slice(3, 9)],
    towns: ['界湖街道', '岸堤镇', '孙祖镇', '双堠镇', '青驼镇', '张庄镇', '砖埠镇', '葛沟镇', '大庄镇'],
  },
  {
    district: '沂水县',
    urban: false,
    streets: ['正阳路', '长安路', '东皋路', '沂蒙山路', '龙山路', '健康路'],
    estates: ['长安小区', '龙山花园', ...GENERIC_ESTATES.slice(6, 12)],
    towns: ['沂城街道', '许家湖镇', '黄山铺镇', '诸葛镇', '崔家峪镇', '院东头镇', '高桥镇', '马站镇', '泉庄镇'],
  },
  {
    district: '兰陵县',
    urban: false,
    streets: ['会宝路', '文峰路', '兰陵路', '中兴路', '广场路'],
    estates: ['会宝岭小区', '文峰花园', ...GENERIC_ESTATES.slice(9, 15)],
    towns: ['卞庄街道', '苍山街道', '兰陵镇', '磨山镇', '长城镇', '向城镇', '尚岩镇', '神山镇', '芦柞镇'],
  },
  {
    district: '费县',
    urban: false,
    streets: ['银光路', '建设路', '沂蒙大街', '南京路', '北京路'],
    estates: ['银光小区', '温凉河花园', ...GENERIC_ESTATES.slice(12, 18)],
    towns: ['费城街道', '上冶镇', '探沂镇', '薛庄镇', '胡阳镇', '石井镇', '梁邱镇', '马庄镇'],
  },
  {
    district: '平邑县',
    urban: false,
    streets: ['莲花山路', '浚河路', '金花路', '东阳路', '蒙山路'],
    estates: ['浚河花园', '金花小区', ...GENERIC_ESTATES.slice(0, 3), ...GENERIC_ESTATES.slice(15, 19)],
    towns: ['平邑街道', '仲村镇', '地方镇', '温水镇', '流峪镇', '保太镇', '郑城镇', '卞桥镇'],
  },
  {
    district: '莒南县',
    urban: false,
    streets: ['人民路', '文化路', '隆山路', '振兴路', '岭泉路'],
    estates: ['隆山小区', '鸡龙河花园', ...GENERIC_ESTATES.slice(2, 8)],
    towns: ['十字路街道', '大店镇', '板泉镇', '坪上镇', '相沟镇', '洙边镇', '文疃镇', '石莲子镇'],
  },
  {
    district: '蒙阴县',
    urban: false,
    streets: ['叠翠路', '蒙山路', '新城路', '城关路', '叶家庄路'],
    estates: ['叠翠小区', '蒙阴花园', ...GENERIC_ESTATES.slice(8, 14)],
    towns: ['蒙阴街道', '岱崮镇', '野店镇', '垛庄镇', '常路镇', '坦埠镇', '高都镇', '联城镇'],
  },
  {
    district: '临沭县',
    urban: false,
    streets: ['沭河大街', '常林大街', '滨海路', '兴大街', '光明路'],
    estates: ['沭河花园', '常林小区', ...GENERIC_ESTATES.slice(11, 17)],
    towns: ['临沭街道', '蛟龙镇', '青云镇', '石门镇', '郑山街道', '曹庄镇', '店头镇', '玉山镇'],
  },
];

export const DEMO_DISTRICTS: readonly string[] = PLACES.map((p) => p.district);

const VILLAGE_PREFIX = ['前', '后', '东', '西', '南', '北', '大', '小', '上', ''];
const VILLAGE_SUFFIX = ['庄', '家庄', '官庄', '村', '家沟', '家岭', '湖', '洼', '屯'];
const SHOP_WORDS = ['惠民', '万家', '金鑫', '福满', '利群', '鲁南', '老王', '好运来', '红星', '兴隆', '佳美', '沂蒙', '如意', '新时代'];
const SHOP_KINDS = ['超市', '家常菜馆', '手机店', '服装店', '家电城', '健身房', '美容院', '烧烤店', '水果店', '电动车行', '母婴店', '教育培训中心', '汽修厂', '羊汤馆'];
const VENUES = ['金嗓子KTV', '星光练歌房', '麦乐迪KTV', '欢乐颂量贩KTV', '好声音练歌房', '金海岸歌舞厅'];
const FACTORIES = ['板材厂', '化工厂', '造纸厂', '石材厂', '铸造厂', '印染厂', '塑料厂'];
const NET_BARS = ['天天网吧', '极速网咖', '星空网吧', '青春网吧', '网鱼网咖'];
const COMPANY_WORDS = ['鑫源', '鲁信', '华盛', '沂州', '兴达', '恒通', '金达', '顺发', '宏远', '永安', '琅琊', '蒙山'];
const COMPANY_KINDS = ['建筑工程有限公司', '物流有限公司', '商贸有限公司', '木业有限公司', '板材厂', '食品有限公司', '服饰有限公司', '物业管理有限公司', '机械有限公司', '装饰工程有限公司'];
const LOST_ITEMS = ['手机', '钱包', '公文包', '笔记本电脑', '行李箱', '身份证和银行卡', '给孩子买的药', '一袋年货', '双肩包', '平板电脑', '一把雨伞和购物袋', '装着合同的文件袋', '车钥匙'];
const GOODS = ['电动车', '手机', '羽绒服', '冰箱', '空调', '热水器', '电视机', '运动鞋', '床垫', '燃气灶'];
const PRODUCE = ['苹果', '大蒜', '猪肉', '花生', '香蕉', '煎饼', '芹菜', '鸡蛋'];
const ROADS = ['205国道', '206国道', '327国道', '342省道', '229省道', '230省道', '336省道'];
const SCENIC = ['蒙山景区', '竹泉村景区', '地下大峡谷', '萤火虫水洞', '天上王城景区', '沂蒙山小调发源地景区', '红石寨景区'];
const TIMES = ['昨天晚上', '今天上午', '刚才', '中午', '今天下午', '凌晨', '前天晚上'];
const DISPUTES = ['楼上漏水', '宅基地界线', '占用公共楼道', '养狗扰民', '装修噪音', '停车位'];

// ---------------------------------------------------------------------------------------
// Descriptions, per catalogue category
// ---------------------------------------------------------------------------------------

/**
 * A description template: nature and text. Placeholders in braces are filled per case:
 * {小区} {楼} {单元} {室} {路} {路2} {镇} {村} {店} {歌厅} {网吧} {公司} {车牌} {线路}
 * {物品} {商品} {农产品} {钱} {欠薪} {人数} {月} {天} {温} {岁} {童岁} {国道} {公里} {景区}
 * {时} {纠纷} {价} {工厂}. `urgent` overrides the category's default urgency for this text.
 */
export interface DescriptionTemplate {
  nature: Nature;
  text: string;
  urgent?: boolean;
}

type T = DescriptionTemplate;
const help = (text: string, urgent?: boolean): T => ({ nature: 'help', text, urgent });
const complaint = (text: string): T => ({ nature: 'complaint', text });
const consult = (text: string): T => ({ nature: 'consultation', text });
const suggest = (text: string): T => ({ nature: 'suggestion', text });
const report = (text: string, urgent?: boolean): T => ({ nature: 'report', text, urgent });

/** Templates for every category of the shipped catalogue (tested against it). */
export const DEMO_TEMPLATES: Readonly<Record<string, readonly DescriptionTemplate[]>> = {
  'civil.vagrant': [
    help('{路}天桥下有一名流浪人员，六十岁左右，衣着单薄，已经在此露宿街头好几天，天冷怕出事，请求救助'),
    help('{小区}门口有一名男子乞讨，神志不太清楚，说不清家在哪里，生活无着，希望救助站来人接走'),
    help('{镇}集市旁有一名流浪汉睡在桥下，挨冻受饿，请民政部门帮助'),
    report('{路}公交站附近有一名乞丐带着小孩乞讨，孩子看着很小，请核实救助'),
  ],
  'civil.escort': [
    help('在{路}遇到一名迷路老人，约{岁}岁，说不清家庭住址，民警已护送到派出所，请救助站接收'),
    help('{路}公交站有一名未成年人独自徘徊，自称离家出走，请求护送回家或送救助站'),
    help('{小区}附近有一名残疾人行动不便，被困在路边无人照看，请求护送救助'),
  ],
  'civil.foundling': [
    report('早上开门发现{小区}{楼}号楼楼道门口有一名婴儿，被遗弃，身上有纸条，民警已到场确认，请民政部门接收'),
    consult('在{镇}{村}路边捡到婴儿，派出所已出具捡拾证明，咨询送福利院需要什么手续'),
  ],
  'hrss.dispute': [
    consult('在{公司}上班{月}年，公司无故辞退不给经济补偿，咨询如何申请劳动仲裁'),
    complaint('{公司}不签劳动合同，经常加班不给加班费，要求查处'),
    complaint('被{公司}开除，认为违法解除劳动合同，要求人社部门处理'),
  ],
  'hrss.wages': [
    complaint('在{镇}一处工地干活，包工头拖欠{人数}名农民工工资共{欠薪}元，多次讨要无果'),
    complaint('{公司}拖欠工资{月}个月，老板联系不上，工人们讨薪无门'),
    help('快过年了工钱还没结，{公司}说没钱，求助帮忙讨要农民工工资{钱}元'),
    complaint('在{店}打工，离职后老板不发工资，拖欠{钱}元'),
  ],
  'hrss.insurance': [
    complaint('在{公司}入职两年一直不交社保，要求补缴养老保险和医疗保险'),
    consult('咨询社保卡丢失如何补办，养老保险断缴了怎么续交'),
    consult('工作时受伤，单位不给申报工伤保险，咨询怎么办'),
  ],
  'housing.water': [
    help('{小区}{楼}号楼门口主水管爆裂，水流到路面，整栋楼停水', true),
    report('{路}与{路2}路口水管爆裂，路面积水严重，影响车辆通行', true),
    help('{小区}从{时}开始停水，没有接到停水通知，家里老人孩子没水用'),
    complaint('{小区}{楼}号楼水压低，高层没水，已经持续{天}天'),
    complaint('家里自来水水质浑浊发黄，{小区}很多住户都这样，不敢喝'),
  ],
  'housing.gas': [
    help('{小区}{楼}号楼{单元}单元楼道里有很浓的燃气味，怀疑燃气泄漏，住户已开窗', true),
    help('家里天然气突然停气，做不了饭，{小区}整个小区都停了'),
    report('{路}施工挖断燃气管道，现场漏气，请燃气公司马上来抢修', true),
    help('燃气表显示有气但是灶打不着火，怀疑气压低，地址{小区}{楼}号楼'),
  ],
  'housing.heating': [
    help('家里暖气不热，室温只有{温}度，家中有老人，地址{小区}{楼}号楼{室}室'),
    help('{小区}{楼}号楼暖气片漏水，水已经流到楼下住户家', true),
    complaint('已经交了取暖费，{小区}至今停暖，没有供热，多次找物业无果'),
    complaint('{小区}集中供热温度不达标，室温低，孩子都冻感冒了'),
  ],
  'housing.sanitation': [
    complaint('{小区}门口垃圾好几天没人清运，臭味很大'),
    complaint('{路}人行道上占道经营严重，夜市摊位把路都堵了'),
    report('{路}有渣土车沿路抛洒，路面脏，尘土飞扬'),
    complaint('{路}的公厕长期锁门不开放'),
    suggest('建议在{路}附近多设几个垃圾桶，现在垃圾乱堆乱放'),
  ],
  'housing.municipal': [
    help('{路}路灯不亮，晚上一片漆黑，行人很不安全'),
    report('{路}与{路2}交汇处井盖丢失，很危险，已经有电动车掉进去', true),
    help('{小区}门口下水道堵塞，污水外溢，味道很大'),
    report('{路}路面塌陷出现大坑，车辆经过很危险', true),
    suggest('{路}道路坑洼不平，下雨就积水，建议尽快维修'),
  ],
  'transport.taxi-lost': [
    help('{时}在{路}打车到{小区}，把{物品}落在出租车上了，车牌号记得是{车牌}，请帮忙联系司机'),
    help('从临沂站打车到{路}，下车后发现{物品}丢了，没记住车牌，只有支付记录'),
    help('{时}坐网约车到{小区}，{物品}遗失在车上，联系不上司机，请帮助查找'),
  ],
  'transport.bus-lost': [
    help('坐{线路}路公交车时把{物品}忘在车上了，在{路}站下的车'),
    help('{时}乘坐{线路}路公交遗失{物品}，请公交公司帮忙查找'),
  ],
  'transport.complaint': [
    complaint('在{路}打车，出租车司机拒载，车牌号{车牌}'),
    complaint('出租车司机不打表，从{路}到{小区}要价{价}元，宰客'),
    complaint('{线路}路公交车经常甩站不停站，司机态度差'),
    suggest('建议{线路}路公交车延长末班车时间，{小区}附近下晚班的人很多'),
  ],
  'transport.rural-road': [
    help('{镇}{村}的村道被大雨冲毁，路面塌方，车辆无法通行', true),
    report('{镇}{村}村口的小桥桥面断裂，桥断了，村民出行很危险', true),
    help('{镇}通往{村}的乡村公路出现大坑，道路损毁严重'),
  ],
  'culture.venue': [
    complaint('{小区}楼下的{歌厅}每天唱到凌晨两三点，噪音扰民，严重影响休息'),
    report('{路}的{网吧}允许未成年人上网，还通宵营业'),
    complaint('{路}一家酒吧音响声音很大，半夜还在放音乐'),
  ],
  'culture.publication': [
    report('{路}路边摊在卖盗版书和盗版光盘'),
    report('{路}附近一家书店售卖非法出版物，有黄色书刊'),
  ],
  'health.emergency': [
    help('{小区}{楼}号楼有位老人突然晕倒，昏迷不醒，需要救护车'),
    help('{路}有人骑电动车摔倒受伤，头部流血'),
    help('家里老人心脏病发作，呼吸困难，地址{小区}{楼}号楼{单元}单元{室}室'),
    help('{路}路边有人倒地不起，疑似急病'),
  ],
  'environment.pollution': [
    report('{镇}一家{工厂}晚上偷排污水，河水发黑发臭'),
    complaint('{路}附近工厂烟囱冒黑烟，异味很大'),
    complaint('{小区}旁边工地夜间施工，噪声污染，晚上十二点还在打桩'),
    complaint('{镇}{村}附近养殖场臭味很大，粪污直排'),
  ],
  'environment.incident': [
    report('{镇}附近河水变色，岸边有大量死鱼，怀疑上游排污'),
    report('{路}一辆罐车侧翻，化学品泄漏，有刺鼻气味'),
    help('{镇}化工厂附近有有毒气体的味道，村民闻了头晕'),
  ],
  'market.consumer': [
    complaint('在{店}办了预付卡，现在店铺关门了，剩余{钱}元无法退款'),
    complaint('在{店}买的{商品}出现质量问题，商家拒绝退货，售后不管'),
    complaint('{店}服务质量差，收费后不提供服务，要求退款'),
  ],
  'market.counterfeit': [
    complaint('在{店}买到假货，{商品}是冒牌山寨的'),
    report('{路}一家店在卖三无产品，以次充好'),
  ],
  'market.short-weight': [
    complaint('在{镇}集市买{农产品}缺斤少两，称了五斤回家一称只有四斤，摊主用鬼秤'),
    report('{路}菜市场有摊贩秤不准，少秤严重'),
  ],
  'market.food': [
    complaint('在{店}吃饭吃出异物，怀疑餐馆卫生不合格'),
    report('{小区}附近超市在卖过期食品'),
    report('{路}有人使用地沟油炸油条，无证经营'),
    complaint('在{店}吃完饭后全家上吐下泻，怀疑食物中毒'),
  ],
  'market.drug': [
    report('{路}的药店不凭处方卖处方药'),
    complaint('家里老人在{店}听讲座买了高价保健品，虚假宣传能治病'),
    complaint('在{路}一家药店买到过期药'),
  ],
  'power.outage': [
    help('{小区}{楼}号楼突然停电，没有接到停电通知'),
    report('{路}电线断了掉在地上，还有火花，很危险', true),
    help('{镇}{村}全村断电，变压器冒烟'),
    help('家里总是跳闸，检查了家里线路没问题，怀疑外线故障，地址{小区}{楼}号楼'),
  ],
  'power.service': [
    consult('咨询电费缴纳方式，预付费电表没电了怎么交电费'),
    complaint('家里电表不准，这个月电费比平时高很多，地址{小区}'),
    consult('咨询新房用电报装需要什么手续'),
  ],
  'other.justice': [
    help('和邻居因为{纠纷}发生纠纷，多次协商不成，希望社区调解'),
    consult('咨询法律援助，没钱请律师打官司'),
    help('家庭矛盾闹得很僵，希望有关部门帮助调解'),
  ],
  'other.tax': [
    complaint('在{店}消费{钱}元，商家不开发票'),
    consult('咨询个税退税怎么办理'),
    report('举报{公司}偷税漏税，收款不开发票'),
  ],
  'other.highway': [
    report('{国道}{公里}公里处路面有抛洒物，很危险', true),
    report('{国道}{镇}段路面破损严重'),
    report('{国道}{镇}段公路护栏被撞坏，一直没修'),
  ],
  'other.price': [
    complaint('{小区}物业乱收费，物业费涨价没有公示'),
    complaint('{路}停车收费超标准，收费标准也不明码标价'),
    complaint('{店}价格欺诈，标的价和结账价不一样'),
  ],
  'other.fishery': [
    report('{镇}沂河段有人电鱼，禁渔期非法捕捞'),
    report('{镇}{村}附近河里有人毒鱼，鱼塘的鱼都死了'),
  ],
  'other.telecom': [
    complaint('{小区}手机信号很差，在家经常没信号'),
    complaint('家里宽带断网{天}天了，运营商一直不来维修，地址{小区}'),
    report('{路}通信线路光缆被挂断，垂在路上'),
  ],
  'other.water-resources': [
    report('{镇}沂河段有人非法采砂，河道被挖得坑坑洼洼'),
    report('{镇}{村}河堤出现裂缝，担心汛期出事'),
    complaint('{镇}{村}河道垃圾堆积，影响行洪'),
  ],
  'other.agriculture': [
    complaint('在{镇}农资店买的种子不发芽，怀疑是假种子'),
    complaint('买的农药打上没效果，怀疑是假农药'),
    report('{镇}{村}附近沟里有病死猪，没人处理'),
  ],
  'other.tourism': [
    complaint('跟旅行社出去旅游，导游强制购物，不买就甩脸色'),
    complaint('{景区}门票收费与公示的不一样'),
  ],
  'other.land': [
    report('{镇}{村}有人占用耕地盖房'),
    report('{镇}山上有人私挖乱采，盗采石料'),
    help('{镇}{村}雨后山体滑坡，威胁下方几户人家', true),
  ],
  'other.safety': [
    report('{路}一家小作坊违规生产烟花爆竹，安全隐患很大'),
    report('{公司}车间没有任何安全措施，工人危险作业'),
  ],
  'other.culture': [
    consult('咨询市图书馆开放时间和办证手续'),
    suggest('建议{镇}农家书屋增加图书，平时很少开门'),
    report('{镇}{村}附近有人破坏文物'),
  ],
};

/** Police matters a 110 desk keeps (no catalogue category). */
const POLICE_TEMPLATES: ReadonlyArray<DescriptionTemplate & { reason: string }> = [
  { ...report('{路}{店}门口有人打架斗殴，有人拿着棍子', true), reason: '打架斗殴，危及人身安全' },
  { ...report('{时}回家发现门锁被撬，家里被盗，丢失现金和首饰，地址{小区}{楼}号楼'), reason: '入室盗窃，属违法犯罪' },
  { ...report('电动车停在{小区}{楼}号楼楼下被偷了'), reason: '盗窃案件' },
  { ...help('{路}发生交通事故，两车相撞，肇事车辆逃逸', true), reason: '交通肇事逃逸' },
  { ...help('孩子{童岁}岁，放学到现在没回家，电话联系不上', true), reason: '人员走失' },
  { ...help('丈夫喝酒后打人，家庭暴力，现在还在家里摔东西，地址{小区}', true), reason: '家庭暴力，危及人身安全' },
  { ...report('接到电话自称公安局让转账到安全账户，已转{钱}元，怀疑被诈骗'), reason: '电信诈骗' },
  { ...report('{路}有人持刀威胁路人', true), reason: '持械威胁，危及人身安全' },
  { ...report('{小区}楼下有人聚众赌博'), reason: '违法行为' },
];

/** Calls with a police side and a non-police side (110 keeps one, transfers the other). */
const MIXED_TEMPLATES: ReadonlyArray<DescriptionTemplate & { category: string; reason: string }> = [
  { ...help('{路}两车相撞，有人受伤流血，需要救护车', true), category: 'health.emergency', reason: '交通事故由 110 处置，伤员救治转 120' },
  { ...help('{小区}邻居因噪音争吵打了起来，有人受伤', true), category: 'health.emergency', reason: '纠纷由民警到场处置，伤者救治转 120' },
  { ...report('{小区}{楼}号楼楼道燃气泄漏，有住户情绪激动扬言要点火', true), category: 'housing.gas', reason: '危险行为由 110 处置，燃气泄漏转燃气抢修' },
  { ...complaint('{公司}拖欠工资，工人们堵住大门，与保安发生推搡'), category: 'hrss.wages', reason: '聚集冲突由民警到场处置，欠薪问题转人社' },
];

/** How often each category is called about; 1 when not listed. */
const CATEGORY_WEIGHTS: Readonly<Record<string, number>> = {
  'housing.water': 6,
  'housing.heating': 5,
  'power.outage': 5,
  'housing.sanitation': 4,
  'housing.municipal': 4,
  'hrss.wages': 4,
  'market.consumer': 4,
  'culture.venue': 3,
  'transport.taxi-lost': 3,
  'health.emergency': 3,
  'housing.gas': 2.5,
  'environment.pollution': 3,
  'other.price': 2,
  'other.telecom': 2,
  'other.justice': 2,
  'transport.complaint': 2,
  'market.food': 2,
  'civil.vagrant': 1.5,
  'civil.foundling': 0.2,
  'culture.publication': 0.3,
  'other.fishery': 0.4,
  'other.culture': 0.4,
  'environment.incident': 0.4,
  'other.tourism': 0.6,
};

const HOUR_WEIGHTS = [2, 1.4, 1, 0.8, 0.8, 1, 1.5, 3, 4.5, 5.5, 5.5, 5, 4, 4, 4.5, 4.8, 4.8, 4.5, 4.5, 5, 5, 4, 3, 2];

const NOTES = [
  '求助人再次来电询问处理进度',
  '已电话联系求助人，告知已转办，请耐心等待',
  '求助人补充：现场情况比刚才更严重',
  '同一事项又有其他群众来电反映',
  '求助人要求处理结果电话告知',
  '已向值班长报告',
];
const TRANSFER_NOTES_URGENT = ['请尽快安排抢修', '现场情况紧急，请立即处置', '已三方通话告知，请马上派人', '请优先处理'];
const TRANSFER_NOTES = ['请按职责处理并反馈', '求助人情绪较急，请及时联系', '请核实后处理', ''];
const POLICE_CLOSINGS = ['民警已到场处置完毕', '已移交派出所办理', '经调解双方和解', '已查明情况，当事人离开', '已立案侦查'];

/** Feedback time limits used for demo assignments (the real rules live in time-limits.ts). */
const DEMO_FEEDBACK_LIMIT_MS: Record<Urgency, number> = { urgent: 24 * 3600_000, normal: 5 * 24 * 3600_000 };

/** Linked units a county-mode 110 desk notifies directly, per alert kind. */
const ALERT_UNITS: Record<string, string> = {
  water: '自来水公司抢修中心',
  gas: '燃气公司抢修中心',
  heating: '热力公司客服中心',
  power: '供电公司抢修中心',
  medical: '120 急救中心',
};

// ---------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------

export interface DemoOptions {
  count: number;
  seed?: number;
  /** spread receivedAt over this many days before `now` (default 30) */
  days?: number;
  now?: Date;
  catalogue?: Catalogue;
  /**
   * The last case number already used per day (`YYYYMMDD` -> n), so generated numbers follow
   * the station's own. Days not listed start at 1.
   */
  counterStart?: Readonly<Record<string, number>>;
}

export interface DemoGroup {
  /** when the station recorded these commands */
  at: Date;
  commands: Command[];
}

/** The case-number day key (the Beijing-time date), as nextCaseNo keeps it in settings (`caseNo:` + this). */
export function demoDayKey(day: Date): string {
  return caseNoDay(day);
}

interface Plan {
  order: number;
  receivedAt: number;
  savedAt: number;
  kind: 'police' | 'mixed' | 'nonPolice';
  entry: { category: Category; department: Department } | null;
  template: DescriptionTemplate;
  reason: string;
}

class Filler {
  constructor(
    private readonly rng: Rng,
    private readonly place: Place,
  ) {}
  private cache = new Map<string, string>();
  private estate = '';
  value(key: string): string {
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const v = this.make(key);
    this.cache.set(key, v);
    return v;
  }
  estateName(): string {
    this.estate ||= this.rng.pick(this.place.estates);
    return this.estate;
  }
  private make(key: string): string {
    const r = this.rng;
    switch (key) {
      case '小区': return this.estateName();
      case '楼': return String(r.int(1, 32));
      case '单元': return String(r.int(1, 6));
      case '室': return `${r.int(1, 18)}0${r.int(1, 4)}`;
      case '路': return r.pick(this.place.streets);
      case '路2': {
        const other = this.place.streets.filter((s) => s !== this.value('路'));
        return r.pick(other.length > 0 ? other : this.place.streets);
      }
      case '镇': return r.pick(this.place.towns);
      case '村': return `${r.pick(VILLAGE_PREFIX)}${r.pick(SURNAMES.filter((s) => s.length === 1))}${r.pick(VILLAGE_SUFFIX)}`;
      case '店': return `${r.pick(SHOP_WORDS)}${r.pick(SHOP_KINDS)}`;
      case '歌厅': return r.pick(VENUES);
      case '网吧': return r.pick(NET_BARS);
      case '公司': return `临沂${r.pick(COMPANY_WORDS)}${r.pick(COMPANY_KINDS)}`;
      case '车牌': return `鲁Q${'ABCDEFGHJKLMNPRTUX'[r.int(0, 17)]}${String(r.int(0, 9999)).padStart(4, '0')}`;
      case '线路': return String(r.pick([1, 2, 3, 5, 6, 8, 9, 10, 12, 15, 16, 18, 19, 20, 21, 23, 26, 28, 30, 31, 36, 58, 61, 66, 69, 77, 81, 101]));
      case '物品': return r.pick(LOST_ITEMS);
      case '商品': return r.pick(GOODS);
      case '农产品': return r.pick(PRODUCE);
      case '钱': return String(r.int(8, 600) * 100);
      case '欠薪': return String(Number(this.value('人数')) * r.int(30, 150) * 100);
      case '工厂': return `${r.pick(SHOP_WORDS)}${r.pick(FACTORIES)}`;
      case '价': return String(r.int(3, 20) * 10);
      case '人数': return String(r.int(5, 40));
      case '月': return String(r.int(2, 8));
      case '天': return String(r.int(2, 6));
      case '温': return String(r.int(8, 15));
      case '岁': return String(r.int(65, 92));
      case '童岁': return String(r.int(7, 14));
      case '国道': return r.pick(ROADS);
      case '公里': return String(r.int(3, 180));
      case '景区': return r.pick(SCENIC);
      case '时': return r.pick(TIMES);
      case '纠纷': return r.pick(DISPUTES);
      default: return key;
    }
  }
  fill(text: string): string {
    return text.replace(/\{([^}]+)\}/g, (_, key: string) => this.value(key));
  }
  address(template: string): string {
    const r = this.rng;
    // the address follows what the text names: a village, a street corner, an estate, a road
    if (template.includes('{村}')) {
      const village = this.value('村');
      return `${this.value('镇')}${village}${village.endsWith('村') ? '' : '村'}`;
    }
    if (template.includes('{国道}')) return `${this.value('国道')}${this.value('镇')}段`;
    if (template.includes('{小区}') || (!template.includes('{路}') && !template.includes('{镇}'))) {
      const estate = this.estateName();
      if (template.includes('{楼}')) {
        const unit = template.includes('{单元}') ? `${this.value('单元')}单元` : `${r.int(1, 4)}单元`;
        const room = template.includes('{室}') ? this.value('室') : `${r.int(1, 18)}0${r.int(1, 4)}`;
        return `${this.value('路')}${r.int(1, 399)}号${estate}${this.value('楼')}号楼${unit}${room}室`;
      }
      return `${this.value('路')}${r.int(1, 399)}号${estate}`;
    }
    if (template.includes('{路2}')) return `${this.value('路')}与${this.value('路2')}交汇处`;
    if (template.includes('{路}')) {
      if (template.includes('{店}')) return `${this.value('路')}${r.int(1, 399)}号${this.value('店')}`;
      return `${this.value('路')}${r.int(1, 399)}号附近`;
    }
    return `${this.place.district}${this.value('镇')}`;
  }
}

function callerOf(rng: Rng, nature: Nature): { name: string; phone: string; anonymous: boolean; confidential: boolean } {
  const anonymous = rng.chance(nature === 'report' ? 0.15 : 0.04);
  if (anonymous) return { name: '', phone: '', anonymous: true, confidential: false };
  const surname = rng.pick(SURNAMES);
  const name = rng.chance(0.7)
    ? surname + rng.pick(GIVEN_CHARS)
    : `${surname}${rng.chance(0.5) ? '先生' : '女士'}`;
  const phone = rng.chance(0.88)
    ? rng.pick(MOBILE_PREFIXES) + String(rng.int(0, 99_999_999)).padStart(8, '0')
    : `0539-${rng.int(2, 8)}${String(rng.int(0, 999_999)).padStart(6, '0')}`;
  const confidential = rng.chance(nature === 'report' ? 0.3 : 0.03);
  return { name, phone, anonymous: false, confidential };
}

function channelOf(rng: Rng, station: Station): Channel {
  switch (station.role) {
    case 'police110':
      return 'call110';
    case 'unit':
      return rng.chance(0.6) ? 'walkIn' : 'online';
    default: {
      const r = rng.float();
      return r < 0.8 ? 'call12345' : r < 0.95 ? 'online' : 'walkIn';
    }
  }
}

function receivedTime(rng: Rng, nowMs: number, days: number): number {
  const latest = nowMs - 10 * 60_000;
  for (let attempt = 0; attempt < 20; attempt++) {
    const day = new Date(nowMs - rng.int(0, days - 1) * 86_400_000);
    day.setHours(rng.weighted(HOUR_WEIGHTS), rng.int(0, 59), rng.int(0, 59), rng.int(0, 999));
    const t = day.getTime();
    if (t <= latest && t > nowMs - days * 86_400_000) return t;
  }
  return latest - rng.int(0, 3 * 3600_000);
}

function transferTarget(station: Station, entry: { category: Category; department: Department }): HandoverTarget {
  if (!station.countyMode) return HOTLINE_TARGET;
  const { category, department } = entry;
  const name = (category.alert ? ALERT_UNITS[category.alert] : undefined) ?? `${category.unit ?? department.short}值班室`;
  return { kind: 'unit', stationId: null, name, department: department.code };
}

/**
 * The commands a station would have recorded for `count` realistic cases, grouped by the
 * moment each was recorded, in time order. Deterministic for a given seed, station, options
 * and `now` (default: the current time).
 */
export function generateDemoCommands(station: Station, options: DemoOptions): DemoGroup[] {
  const count = Math.floor(options.count);
  if (!Number.isFinite(count) || count < 0) throw new Error(`count must be a non-negative integer: ${options.count}`);
  const days = Math.max(1, Math.floor(options.days ?? 30));
  const nowMs = (options.now ?? new Date()).getTime();
  const rng = new Rng(options.seed ?? 20171149);
  const catalogue = options.catalogue ?? loadDefaultCatalogue();
  const entries = listCategories(catalogue);
  const weights = entries.map((e) => CATEGORY_WEIGHTS[e.category.code] ?? 1);
  const byCode = new Map(entries.map((e) => [e.category.code, e]));
  const isPolice = station.role === 'police110';
  const home = PLACES.find((p) => station.district.includes(p.district.slice(0, 2)));

  // 1. what each call is about, and when it came in
  const plans: Plan[] = [];
  for (let i = 0; i < count; i++) {
    const receivedAt = receivedTime(rng, nowMs, days);
    let kind: Plan['kind'] = 'nonPolice';
    if (isPolice) {
      const r = rng.float();
      kind = r < 0.22 ? 'police' : r < 0.27 ? 'mixed' : 'nonPolice';
    }
    // the first cases walk through every category once, so each appears in any larger set
    const coverAll = i < entries.length && count >= entries.length;
    if (coverAll) kind = 'nonPolice';
    let entry: Plan['entry'] = null;
    let template: DescriptionTemplate;
    let reason = '';
    if (kind === 'police') {
      const police = rng.pick(POLICE_TEMPLATES);
      template = police;
      reason = rng.chance(0.7) ? police.reason : '';
    } else if (kind === 'mixed') {
      const mixed = rng.pick(MIXED_TEMPLATES);
      template = mixed;
      reason = mixed.reason;
      entry = byCode.get(mixed.category) ?? entries[rng.weighted(weights)] ?? null;
    } else {
      entry = coverAll ? entries[i]! : entries[rng.weighted(weights)]!;
      const own = DEMO_TEMPLATES[entry.category.code];
      template = own && own.length > 0 ? rng.pick(own) : genericTemplate(rng, entry.category);
      reason = rng.chance(0.5) ? '' : `属${entry.department.short}职责范围的非警务求助`;
    }
    // urgent calls are saved faster
    const urgentish = template.urgent ?? entry?.category.defaultUrgency === 'urgent';
    const savedAt = receivedAt + (urgentish ? rng.int(30, 150) : rng.int(60, 360)) * 1000;
    plans.push({ order: i, receivedAt, savedAt, kind, entry, template, reason });
  }

  // 2. case numbers follow the order the intakes were saved in
  plans.sort((a, b) => a.savedAt - b.savedAt || a.order - b.order);
  const counters = new Map<string, number>(Object.entries(options.counterStart ?? {}));
  const groups: Array<DemoGroup & { k: number }> = [];
  let k = 0;
  for (const plan of plans) {
    const saved = new Date(plan.savedAt);
    const key = demoDayKey(saved);
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    const caseNo = formatCaseNo(station.stationId, saved, n);
    const caseId = seededUlid(plan.savedAt, rng);
    const place = home && rng.chance(0.75) ? home : rng.pick(PLACES);
    const filler = new Filler(rng, place);
    const { template, entry } = plan;
    const description = filler.fill(template.text);
    const address = filler.address(template.text);
    const defaultUrgency: Urgency = entry?.category.defaultUrgency ?? 'normal';
    let urgency: Urgency = template.urgent ? 'urgent' : defaultUrgency;
    // some variation: an operator judges each call (alert categories stay urgent more often)
    const flip = defaultUrgency === 'normal' ? 0.06 : entry?.category.alert ? 0.04 : 0.12;
    if (!template.urgent && rng.chance(flip)) {
      urgency = defaultUrgency === 'urgent' ? 'normal' : 'urgent';
    }
    const caller = callerOf(rng, template.nature);
    const commands: Command[] = [
      {
        caseId,
        type: 'case.created',
        payload: {
          caseNo,
          intakeRole: station.role,
          station: { stationId: station.stationId, name: station.name },
          channel: channelOf(rng, station),
          receivedAt: new Date(plan.receivedAt).toISOString(),
          caller,
          location: { address, district: place.district },
          nature: template.nature,
          category: entry?.category.code ?? null,
          urgency,
          description,
        },
      },
    ];
    let handedOver = false;
    if (isPolice) {
      const verdict: Verdict = plan.kind;
      commands.push({ caseId, type: 'case.screened', payload: { verdict, reason: plan.reason } });
      if (entry && (plan.kind === 'mixed' || rng.chance(0.88))) {
        const threeWayCall = rng.chance(urgency === 'urgent' ? 0.5 : 0.15);
        const notes = urgency === 'urgent' ? TRANSFER_NOTES_URGENT : TRANSFER_NOTES;
        commands.push({
          caseId,
          type: 'case.transferred',
          payload: {
            to: transferTarget(station, entry),
            threeWayCall,
            note: rng.chance(0.5) ? rng.pick(notes) : '',
            ackDueBy: transferAckDueBy(saved.toISOString(), urgency),
          },
        });
        handedOver = true;
      }
    } else if (station.role === 'hotline12345' && entry && rng.chance(0.85)) {
      const { category, department } = entry;
      commands.push({
        caseId,
        type: 'case.assigned',
        payload: {
          lead: { kind: 'department', stationId: null, name: category.unit ?? department.name, department: department.code },
          assisting: [],
          note: rng.chance(0.4) ? rng.pick(urgency === 'urgent' ? TRANSFER_NOTES_URGENT : TRANSFER_NOTES) : '',
          ackDueBy: transferAckDueBy(saved.toISOString(), urgency),
          feedbackDueBy: new Date(plan.savedAt + DEMO_FEEDBACK_LIMIT_MS[urgency]).toISOString(),
        },
      });
      handedOver = true;
    }
    groups.push({ at: saved, commands, k: k++ });

    // 3. what happened later
    if (rng.chance(0.15)) {
      const at = plan.savedAt + rng.int(3, 120) * 60_000;
      const text = handedOver ? rng.pick(NOTES) : rng.pick(NOTES.filter((n) => !n.includes('转办')));
      if (at <= nowMs) groups.push({ at: new Date(at), commands: [{ caseId, type: 'case.noteAdded', payload: { text } }], k: k++ });
    }
    if (plan.kind === 'police' && rng.chance(0.7)) {
      const at = plan.savedAt + rng.int(15, 240) * 60_000;
      if (at <= nowMs) {
        groups.push({ at: new Date(at), commands: [{ caseId, type: 'case.closed', payload: { summary: rng.pick(POLICE_CLOSINGS) } }], k: k++ });
      }
    }
  }
  groups.sort((a, b) => a.at.getTime() - b.at.getTime() || a.k - b.k);
  return groups.map(({ at, commands }) => ({ at, commands }));
}

/** For a category added to the catalogue after these templates were written. */
function genericTemplate(rng: Rng, category: Category): DescriptionTemplate {
  const keyword = rng.pick(category.keywords);
  return rng.chance(0.5)
    ? { nature: 'help', text: `{路}附近${keyword}问题，请${category.unit ?? '相关部门'}处理` }
    : { nature: 'complaint', text: `反映{小区}${keyword}问题，已经好几天了，希望尽快解决` };
}
