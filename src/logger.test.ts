import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { loadConfig } from './config/index.js';
import { chooseLogFormat, createLogger, useColor } from './logger.js';

/** A stream that says whether it is a terminal, and everything written to it. */
function sink(isTTY: boolean): { stream: PassThrough & { isTTY: boolean }; text(): string } {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

async function logged(isTTY: boolean, format: 'auto' | 'pretty' | 'json', env = {}) {
  const out = sink(isTTY);
  const log = createLogger({ logLevel: 'info', logFormat: format }, { stream: out.stream, env });
  log.info({ url: 'http://127.0.0.1:8080', workflows: 3 }, 'Hookflow listening');
  await new Promise((r) => setTimeout(r, 50));
  return out.text();
}

const ANSI = /\u001b\[/;

void describe('log format', () => {
  test('auto is pretty on a terminal and JSON lines elsewhere; pretty and json are as said', () => {
    assert.equal(chooseLogFormat('auto', true), 'pretty');
    assert.equal(chooseLogFormat('auto', false), 'json');
    assert.equal(chooseLogFormat('json', true), 'json');
    assert.equal(chooseLogFormat('pretty', false), 'pretty');
  });

  test('HOOKFLOW_LOG_FORMAT is read (any case); auto when unset', () => {
    assert.equal(loadConfig({}, {}, '/tmp').logFormat, 'auto');
    assert.equal(loadConfig({}, { HOOKFLOW_LOG_FORMAT: 'Pretty' }, '/tmp').logFormat, 'pretty');
    assert.equal(loadConfig({}, { HOOKFLOW_LOG_FORMAT: 'json' }, '/tmp').logFormat, 'json');
  });

  test('a bad HOOKFLOW_LOG_FORMAT is one line naming the setting and the choices', () => {
    assert.throws(
      () => loadConfig({}, { HOOKFLOW_LOG_FORMAT: 'fancy' }, '/tmp'),
      /^ConfigError: invalid configuration: HOOKFLOW_LOG_FORMAT: expected pretty, json or auto, got 'fancy'$/,
    );
  });

  test('colour only on a terminal, and never with NO_COLOR set', () => {
    assert.equal(useColor(true, {}), true);
    assert.equal(useColor(false, {}), false);
    assert.equal(useColor(true, { NO_COLOR: '1' }), false);
    assert.equal(useColor(true, { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count');
  });

  test('on a terminal a log line is one readable line: time, level, message, then the fields', async () => {
    const text = await logged(true, 'auto', { NO_COLOR: '1' });
    assert.doesNotMatch(text, ANSI, 'NO_COLOR: no escape codes');
    assert.match(
      text,
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: Hookflow listening \{"url":"http:\/\/127\.0\.0\.1:8080","workflows":3\}\n$/,
    );
  });

  test('on a terminal without NO_COLOR the level is coloured', async () => {
    assert.match(await logged(true, 'auto'), ANSI);
  });

  test('piped (not a terminal), auto writes JSON lines a log shipper reads', async () => {
    const line = JSON.parse(await logged(false, 'auto'));
    assert.equal(line.msg, 'Hookflow listening');
    assert.equal(line.url, 'http://127.0.0.1:8080');
    assert.equal(line.level, 30);
  });

  test('pretty asked for while piped gives plain lines without escape codes', async () => {
    const text = await logged(false, 'pretty');
    assert.doesNotMatch(text, ANSI);
    assert.match(text, / INFO: Hookflow listening /);
  });
});
