import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskCallerInText, maskCallerName, maskName, maskPhone, maskPhonesInText } from '../../src-common/reports';

describe('maskPhone', () => {
  it.each([
    ['13812341234', '138****1234'],
    ['19900001111', '199****1111'],
    ['0539-8123456', '0539-****456'],
    ['010-12345678', '010-****5678'],
    ['0539-81234567', '0539-****4567'],
    ['05398123456', '0539****456'],
    ['02112345678', '021****5678'],
    ['8123456', '****456'],
    ['81234567', '****4567'],
  ])('masks %s as %s', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });

  it('keeps short service numbers and empty values', () => {
    expect(maskPhone('110')).toBe('110');
    expect(maskPhone('12345')).toBe('12345');
    expect(maskPhone('95598')).toBe('95598');
    expect(maskPhone('')).toBe('');
  });

  it('keeps a number already masked (masking twice changes nothing)', () => {
    expect(maskPhone('138****1234')).toBe('138****1234');
    expect(maskPhone(maskPhone('0539-8123456'))).toBe('0539-****456');
  });

  it('stars all but the last 2 characters of anything else', () => {
    expect(maskPhone('+442079460958')).toBe('***********58');
    expect(maskPhone('ext. 12-345678')).toBe('************78');
  });
});

describe('maskName', () => {
  it('keeps the first character and stars the others', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳修远')).toBe('欧***');
    expect(maskName('王先生')).toBe('王**');
    expect(maskName('John')).toBe('J***');
  });

  it('counts characters, not UTF-16 units (an extension-B character is one character)', () => {
    expect(maskName('𠮷野家')).toBe('𠮷**');
  });

  it('keeps a lone surname and an empty name', () => {
    expect(maskName('王')).toBe('王');
    expect(maskName('')).toBe('');
    expect(maskName('张*')).toBe('张*');
  });

  it('an anonymous caller is 匿名 whatever the record holds', () => {
    expect(maskCallerName({ name: '', anonymous: true })).toBe('匿名');
    expect(maskCallerName({ name: '张三', anonymous: true })).toBe('匿名');
    expect(maskCallerName({ name: '张三', anonymous: false })).toBe('张*');
  });
});

describe('maskPhonesInText', () => {
  it('masks mobiles and landlines inside free text, and nothing else', () => {
    expect(maskPhonesInText('请回电13812341234或0539-8123456，门牌12号，3栋2单元')).toBe(
      '请回电138****1234或0539-****456，门牌12号，3栋2单元',
    );
  });

  it('leaves digits that are part of a longer number alone', () => {
    expect(maskPhonesInText('订单号213812341234567')).toBe('订单号213812341234567');
    expect(maskPhonesInText('拨打12345热线')).toBe('拨打12345热线');
  });

  it('masks mobiles written with +86 or 0086, or in groups', () => {
    expect(maskPhone('+86 139 1234 5678')).toBe('+86 139****5678');
    expect(maskPhone('+8613912345678')).toBe('+86 139****5678');
    expect(maskPhone('139-1234-5678')).toBe('139****5678');
    expect(maskPhonesInText('请拨+86 139 1234 5678或0086-13912345678，备用139 1234 5678')).toBe(
      '请拨+86 139****5678或0086 139****5678，备用139****5678',
    );
  });

  it("a caller's own name is masked in the text about them, as are the numbers", () => {
    expect(maskCallerInText('张建国说家里停水，请回电13812341234找张建国', { name: '张建国', anonymous: false })).toBe(
      '张**说家里停水，请回电138****1234找张**',
    );
    // a surname alone is not searched for (it would star every 张 in the text)
    expect(maskCallerInText('张家庄停水', { name: '张', anonymous: false })).toBe('张家庄停水');
  });

  it('is idempotent', () => {
    const once = maskPhonesInText('电话 13812341234');
    expect(once).toBe('电话 138****1234');
    expect(maskPhonesInText(once)).toBe(once);
  });
});

describe('masking properties', () => {
  const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));

  it('a mobile keeps its length, first 3 and last 4 digits, and hides exactly 4', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 9 }), digits(9), (second, rest) => {
        const phone = `1${second}${rest}`;
        const masked = maskPhone(phone);
        expect(masked).toHaveLength(11);
        expect(masked.slice(0, 3)).toBe(phone.slice(0, 3));
        expect(masked.slice(7)).toBe(phone.slice(7));
        expect(masked.slice(3, 7)).toBe('****');
        expect(maskPhone(masked)).toBe(masked);
      }),
    );
  });

  it('a name keeps its length in characters and only its first character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite', minLength: 2, maxLength: 8 }).filter((s) => s.trim() === s && s !== ''), (name) => {
        const masked = maskName(name);
        const chars = Array.from(name);
        if (chars.length <= 1) return;
        expect(Array.from(masked)).toHaveLength(chars.length);
        expect(masked.startsWith(chars[0]!)).toBe(true);
        expect(Array.from(masked).slice(1).every((c) => c === '*')).toBe(true);
      }),
    );
  });
});
