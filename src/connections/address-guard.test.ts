import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyAddress, classifyHost, parseNetworks } from './address-guard.js';

/** Each refused address with the range it must be reported as. */
const REFUSED: Array<[string, string]> = [
  // IPv4 loopback, the whole 127.0.0.0/8
  ['127.0.0.1', 'loopback'],
  ['127.1.2.3', 'loopback'],
  ['127.255.255.254', 'loopback'],
  // RFC 1918
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.0.1', 'private'],
  ['192.168.255.255', 'private'],
  // link-local, with the cloud metadata services
  ['169.254.0.1', 'linkLocal'],
  ['169.254.169.254', 'linkLocal'],
  ['169.254.170.2', 'linkLocal'], // AWS ECS task metadata
  // CGNAT (Alibaba Cloud metadata is 100.100.100.200)
  ['100.64.0.1', 'carrierGradeNat'],
  ['100.100.100.200', 'carrierGradeNat'],
  ['100.127.255.255', 'carrierGradeNat'],
  // unspecified, broadcast, multicast
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['255.255.255.255', 'broadcast'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  // reserved, documentation and benchmarking (Oracle Cloud metadata is 192.0.0.192)
  ['192.0.0.192', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['198.51.100.7', 'reserved'],
  ['203.0.113.9', 'reserved'],
  ['240.0.0.1', 'reserved'],
  // IPv6
  ['::1', 'loopback'],
  ['::', 'unspecified'],
  ['fe80::1', 'linkLocal'],
  ['fe80::1%eth0', 'linkLocal'],
  ['fc00::1', 'uniqueLocal'],
  ['fd00:ec2::254', 'uniqueLocal'], // AWS IPv6 metadata
  ['fec0::1', 'deprecatedSiteLocal'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'reserved'],
  ['100::1', 'discard'],
  // IPv4 inside IPv6: mapped, compatible, NAT64, 6to4 — judged by the IPv4 address
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:10.0.0.1', 'private'],
  ['::ffff:169.254.169.254', 'linkLocal'],
  ['::127.0.0.1', 'loopback'],
  ['64:ff9b::7f00:1', 'loopback'],
  ['64:ff9b::a9fe:a9fe', 'linkLocal'],
  ['2002:7f00:1::', 'loopback'],
  ['2002:c0a8:101::1', 'private'],
  ['::ffff:0:7f00:1', 'loopback'],
];

const ALLOWED = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.216.34',
  '172.15.255.255', // just outside 172.16.0.0/12
  '172.32.0.0',
  '100.63.255.255', // just outside 100.64.0.0/10
  '100.128.0.0',
  '11.0.0.1',
  '192.169.0.1',
  '2606:4700:4700::1111',
  '2a00:1450:4001:82a::200e',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  '2002:808:808::1',
];

void describe('address guard: classifyAddress', () => {
  for (const [address, range] of REFUSED) {
    void test(`${address} is refused as ${range}`, () => {
      const verdict = classifyAddress(address);
      assert.equal(verdict.allowed, false);
      assert.equal(!verdict.allowed && verdict.range, range);
      assert.ok(!verdict.allowed && verdict.reason.length > 0);
    });
  }

  for (const address of ALLOWED) {
    void test(`${address} is a public address and allowed`, () => {
      assert.equal(classifyAddress(address).allowed, true);
    });
  }

  void test('something that is not an address is refused', () => {
    const verdict = classifyAddress('not-an-ip');
    assert.equal(verdict.allowed, false);
  });

  void test('an IPv4 address inside IPv6 is named in the reason', () => {
    const verdict = classifyAddress('::ffff:127.0.0.1');
    assert.ok(!verdict.allowed);
    assert.match(verdict.reason, /127\.0\.0\.1 inside the IPv6 address/);
  });
});

void describe('address guard: classifyHost reads hosts the way URLs do', () => {
  const LOOPBACK_FORMS = [
    '127.0.0.1',
    '2130706433', // decimal
    '0x7f000001', // hex
    '0x7F.0.0.1',
    '0177.0.0.1', // octal
    '017700000001',
    '127.1', // short form
    '0x7f.1',
    '[::1]',
    '::1',
    '[::ffff:127.0.0.1]',
    '[::ffff:7f00:1]',
    '[0:0:0:0:0:ffff:127.0.0.1]',
  ];
  for (const host of LOOPBACK_FORMS) {
    void test(`${host} is a loopback IP literal, refused`, () => {
      const c = classifyHost(host);
      assert.equal(c.kind, 'ip');
      assert.ok(c.kind === 'ip' && !c.verdict.allowed && c.verdict.range === 'loopback');
    });
  }

  void test('decimal, hex and octal forms of private and metadata addresses are refused', () => {
    for (const host of ['167772161', '0xa000001', '012.0.0.1', '2852039166', '0xa9fea9fe', '0']) {
      const c = classifyHost(host);
      assert.ok(c.kind === 'ip' && !c.verdict.allowed, host);
    }
  });

  void test('a name is left to be checked on what it resolves to', () => {
    assert.deepEqual(classifyHost('api.example.com'), { kind: 'name', name: 'api.example.com' });
    assert.deepEqual(classifyHost('localhost'), { kind: 'name', name: 'localhost' });
  });

  void test('cloud metadata names are refused before any lookup', () => {
    for (const host of ['metadata.google.internal', 'METADATA.GOOGLE.INTERNAL.', 'metadata']) {
      assert.equal(classifyHost(host).kind, 'blocked-name', host);
    }
  });

  void test('a public IP literal is allowed', () => {
    const c = classifyHost('8.8.8.8');
    assert.ok(c.kind === 'ip' && c.verdict.allowed);
  });

  void test('a host that is not valid is reported as such', () => {
    assert.equal(classifyHost('exa mple.com').kind, 'invalid');
  });
});

void describe('address guard: allowed networks', () => {
  const allowed = parseNetworks(['10.1.0.0/16', '127.0.0.1', 'fd00::/8']);

  void test('an address in an allowed network may be reached', () => {
    for (const address of ['10.1.2.3', '127.0.0.1', '::ffff:127.0.0.1', 'fd00::5']) {
      assert.equal(classifyAddress(address, allowed).allowed, true, address);
    }
  });

  void test('other private addresses stay refused', () => {
    for (const address of ['10.2.0.1', '127.0.0.2', '169.254.169.254', '::1', 'fc00::1']) {
      assert.equal(classifyAddress(address, allowed).allowed, false, address);
    }
  });

  void test('an entry that is neither an address nor a CIDR range is an error naming it', () => {
    assert.throws(() => parseNetworks(['10.0.0.0/8', 'intranet']), /'intranet'/);
  });
});
