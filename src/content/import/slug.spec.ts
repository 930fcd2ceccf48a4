import { moduleSlug, slugify } from './slug';

describe('slugify', () => {
  it('lowercases and joins words with single dashes', () => {
    expect(slugify('Completed Activity 1: Enable and Configure CloudTrail')).toBe(
      'completed-activity-1-enable-and-configure-cloudtrail',
    );
  });

  it('turns every run of punctuation and spaces into one dash and trims the ends', () => {
    expect(slugify('  --Hello,   World!! (again) --  ')).toBe('hello-world-again');
    expect(slugify('a / b & c')).toBe('a-b-c');
  });

  it('strips accents', () => {
    expect(slugify('Sécurité réseau à Zürich, Ñandú')).toBe('securite-reseau-a-zurich-nandu');
  });

  it('folds compatibility forms (full-width letters, ligatures)', () => {
    expect(slugify('ＡＷＳ ﬁrewall')).toBe('aws-firewall');
  });

  it('keeps letters of other scripts and their marks, drops emoji', () => {
    expect(slugify('🔐 日本語のガイド 🚀')).toBe('日本語のガイド');
    expect(slugify('हिन्दी पाठ')).toBe('हिन्दी-पाठ');
  });

  it('gives an empty slug for text without letters or digits', () => {
    expect(slugify('🔥 — !!')).toBe('');
  });
});

describe('moduleSlug', () => {
  it('pads the module number to two digits', () => {
    expect(moduleSlug(5, 'Monitoring, Logging, and Incident Response')).toBe(
      '05-monitoring-logging-and-incident-response',
    );
  });

  it('leaves numbers of two or more digits alone', () => {
    expect(moduleSlug(12, 'Wrap Up')).toBe('12-wrap-up');
    expect(moduleSlug(105, 'Extra')).toBe('105-extra');
  });

  it('is just the padded number when the title has nothing sluggable', () => {
    expect(moduleSlug(3, '🚀')).toBe('03');
  });
});
