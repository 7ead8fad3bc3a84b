import { describe, expect, test } from '@jest/globals';
import { isStopReminders, recognizeHandoff } from '../dialogs/deskWords.js';

describe('words that ask for the service desk', () => {
  test.each([
    ['agent', 'asked'],
    ['Human', 'asked'],
    ['service desk', 'asked'],
    ['I want to talk to a human', 'asked'],
    ['can I speak to a person?', 'asked'],
    ['talk to someone please', 'asked'],
    ['真人', 'asked'],
    ['轉真人', 'asked'],
    ['我想搵真人', 'asked'],
    ['I never received the code', 'no-code'],
    ["I didn't get the code", 'no-code'],
    ['the code never came', 'no-code'],
    ['no code', 'no-code'],
    ['收唔到驗證碼', 'no-code'],
    ['我沒有收到短訊', 'no-code'],
    ['I lost my phone', 'lost-contact'],
    ['I no longer have that phone', 'lost-contact'],
    ['I changed my number', 'lost-contact'],
    ["I can't access my email any more", 'lost-contact'],
    ['我遺失了手機', 'lost-contact'],
    ['換咗電話號碼', 'lost-contact'],
  ])('%s asks for the desk (%s)', (typed, reason) => {
    expect(recognizeHandoff(typed)).toBe(reason);
  });

  test.each(['agent@gmail.com', 'human.resources@example.org', '9123 4567', '+852 9123 4567', '123456', 'jdoe', 'agentsmith', 'reset', 'help', 'yes', 'email', 'the human body'])(
    '%s is an answer, not a request for the desk',
    (typed) => {
      expect(recognizeHandoff(typed)).toBeUndefined();
    },
  );

  test('"stop reminders" and 停止提醒 stop the reminders; a bare stop does not', () => {
    expect(['stop reminders', 'Stop reminders.', 'no more reminders', 'unsubscribe', '停止提醒', '唔要提醒'].map(isStopReminders)).toEqual([true, true, true, true, true, true]);
    expect(['stop', 'reminders', 'remind me', 'cancel'].map(isStopReminders)).toEqual([false, false, false, false]);
  });
});
