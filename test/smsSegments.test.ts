import { describe, expect, test } from '@jest/globals';
import { smsSize } from '../src/domain/smsSegments.js';

describe('SMS segments are counted as carriers count them', () => {
  test.each([
    ['', 'GSM-7', 1],
    ['a'.repeat(160), 'GSM-7', 1],
    ['a'.repeat(161), 'GSM-7', 2],
    ['a'.repeat(306), 'GSM-7', 2],
    ['a'.repeat(307), 'GSM-7', 3],
    ['€'.repeat(80), 'GSM-7', 1],
    ['{'.repeat(81), 'GSM-7', 2],
    ['你'.repeat(70), 'UCS-2', 1],
    ['你'.repeat(71), 'UCS-2', 2],
    ['你'.repeat(134), 'UCS-2', 2],
    ['你'.repeat(135), 'UCS-2', 3],
    ['a'.repeat(100) + '’', 'UCS-2', 2],
  ])('%#: %s', (text, encoding, segments) => {
    const size = smsSize(text);
    expect(size.encoding).toBe(encoding);
    expect(size.segments).toBe(segments);
  });
});
