/**
 * @module connections/address-guard
 * The SSRF classification, as pure functions: is an address (or a host as written in a URL)
 * one that outbound requests may reach? Only public unicast addresses may. Loopback, private
 * (RFC 1918, IPv6 unique-local), link-local (cloud metadata lives there), CGNAT, multicast,
 * broadcast, unspecified, reserved and documentation ranges are refused, and so are IPv6
 * addresses that carry an IPv4 address inside (IPv4-mapped, IPv4-compatible, NAT64, 6to4)
 * when that IPv4 address is refused. Hosts are read the way WHATWG URLs (and so undici) read
 * them: `2130706433`, `0x7f000001`, `0177.0.0.1` and `127.1` all are 127.0.0.1. Names
 * (`localhost` too) are checked on what they resolve to, by the outbound agent.
 *
 * @example
 *   classifyAddress('169.254.169.254'); // → { allowed: false, range: 'linkLocal', reason: 'a link-local address (cloud metadata services live here)' }
 *   classifyHost('0x7f000001');          // → { kind: 'ip', address: '127.0.0.1', verdict: { allowed: false, … } }
 *   classifyHost('api.example.com');     // → { kind: 'name', name: 'api.example.com' } (check what it resolves to)
 */
import ipaddr from 'ipaddr.js';

export type AddressVerdict =
  | { allowed: true; address: string }
  | { allowed: false; address: string; range: string; reason: string };

export type HostClass =
  | { kind: 'ip'; address: string; verdict: AddressVerdict }
  | { kind: 'name'; name: string }
  | { kind: 'blocked-name'; name: string; reason: string }
  | { kind: 'invalid'; host: string };

const REASONS: Record<string, string> = {
  unspecified: 'an unspecified address (0.0.0.0/8, ::)',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address (cloud metadata services live here)',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address (100.64.0.0/10)',
  private: 'a private address (RFC 1918)',
  uniqueLocal: 'a private IPv6 address (unique local, fc00::/7)',
  deprecatedSiteLocal: 'an IPv6 site-local address (fec0::/10)',
  reserved: 'a reserved or documentation address',
  benchmarking: 'a benchmarking address',
  discard: 'an IPv6 discard address',
  teredo: 'a Teredo tunnel address',
  '6to4': 'a 6to4 address',
  amt: 'an AMT relay address',
  as112: 'an AS112 address',
  as112v6: 'an AS112 address',
  deprecatedOrchid: 'an ORCHID address',
  orchid2: 'an ORCHID address',
  droneRemoteIdProtocolEntityTags: 'a reserved IPv6 address',
  segmentRouting: 'an IPv6 segment-routing address',
  rfc6145: 'an IPv4-translated address',
};

/** Host names that reach cloud metadata services whatever DNS says. */
const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
]);

/** Networks (CIDR) an operator allows despite the guard; see {@link parseNetworks}. */
export type AllowedNetworks = ReadonlyArray<[ipaddr.IPv4 | ipaddr.IPv6, number]>;

/**
 * Whether an IP address (v4 or v6, no brackets, no zone) may be reached. An address in
 * `allowed` may be reached whatever its range (an IPv4-mapped IPv6 address counts as its IPv4).
 */
export function classifyAddress(address: string, allowed: AllowedNetworks = []): AddressVerdict {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.replace(/%.*$/, ''));
  } catch {
    return { allowed: false, address, range: 'invalid', reason: 'not an IP address' };
  }
  const verdict = classifyParsed(parsed, address);
  if (verdict.allowed || allowed.length === 0) return verdict;
  const plain =
    parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
      ? (parsed as ipaddr.IPv6).toIPv4Address()
      : parsed;
  const listed = allowed.some(([net, bits]) =>
    plain.kind() === 'ipv4'
      ? net.kind() === 'ipv4' && (plain as ipaddr.IPv4).match(net as ipaddr.IPv4, bits)
      : net.kind() === 'ipv6' && (plain as ipaddr.IPv6).match(net as ipaddr.IPv6, bits),
  );
  return listed ? { allowed: true, address: verdict.address } : verdict;
}

/**
 * `10.0.0.0/8, 127.0.0.1, fd00::/8` → networks for {@link classifyAddress}; throws naming
 * the first entry that is not an address or a CIDR range.
 */
export function parseNetworks(list: readonly string[]): AllowedNetworks {
  return list.map((entry) => {
    try {
      return entry.includes('/') ? ipaddr.parseCIDR(entry) : singleHost(ipaddr.parse(entry));
    } catch {
      throw new Error(`'${entry}' is not an IP address or a CIDR range like 10.0.0.0/8`);
    }
  });
}

function singleHost(ip: ipaddr.IPv4 | ipaddr.IPv6): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  return [ip, ip.kind() === 'ipv4' ? 32 : 128];
}

function classifyParsed(ip: ipaddr.IPv4 | ipaddr.IPv6, written: string): AddressVerdict {
  const address = ip.toString();
  if (ip.kind() === 'ipv6') {
    const embedded = embeddedIPv4(ip as ipaddr.IPv6);
    if (embedded) {
      const inner = classifyParsed(embedded, embedded.toString());
      if (inner.allowed) return { allowed: true, address };
      return {
        allowed: false,
        address,
        range: inner.range,
        reason: `${inner.reason} (${embedded.toString()} inside the IPv6 address ${written})`,
      };
    }
  }
  const range = ip.range();
  if (range === 'unicast') return { allowed: true, address };
  return { allowed: false, address, range, reason: REASONS[range] ?? `a ${range} address` };
}

/** The IPv4 address inside an IPv4-mapped, IPv4-compatible, NAT64 or 6to4 IPv6 address. */
function embeddedIPv4(ip: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = ip.parts;
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  const range = ip.range();
  if (range === 'ipv4Mapped') return ip.toIPv4Address();
  if (range === 'rfc6145' || range === 'rfc6052') return v4(p[6]!, p[7]!);
  if (range === '6to4') return v4(p[1]!, p[2]!);
  // ::a.b.c.d (IPv4-compatible, deprecated) still reaches a.b.c.d on some stacks; :: and ::1 excluded.
  const compatible = p.slice(0, 6).every((x) => x === 0) && (p[6] !== 0 || p[7]! > 1);
  return compatible ? v4(p[6]!, p[7]!) : null;
}

/**
 * How a URL's host is to be checked: an IP literal (in any form URLs accept) is classified
 * now; a name must be checked on what it resolves to. `host` may carry IPv6 brackets.
 */
export function classifyHost(host: string, allowed: AllowedNetworks = []): HostClass {
  let hostname: string;
  try {
    hostname = new URL(
      `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}/`,
    ).hostname;
  } catch {
    return { kind: 'invalid', host };
  }
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (ipaddr.isValid(bare) && (bare.includes(':') || /^[\d.]+$/.test(bare))) {
    return { kind: 'ip', address: bare, verdict: classifyAddress(bare, allowed) };
  }
  const name = bare.replace(/\.$/, '').toLowerCase();
  if (METADATA_NAMES.has(name)) {
    return { kind: 'blocked-name', name, reason: 'a cloud metadata service name' };
  }
  return { kind: 'name', name };
}
