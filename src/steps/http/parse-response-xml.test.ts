import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseResponseXml, XmlParseError } from './parse-response-xml.js';

void describe('parseResponseXml', () => {
  void test('the root element is the top key; namespace prefixes and declarations are dropped', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>' +
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">' +
      '<soapenv:Body><notifications xmlns="urn:sf"><OrganizationId>00D</OrganizationId></notifications></soapenv:Body>' +
      '</soapenv:Envelope>';
    assert.deepEqual(parseResponseXml(xml), {
      Envelope: { Body: { notifications: { OrganizationId: '00D' } } },
    });
  });

  void test('attributes are @name; text beside attributes is #text; values stay strings', () => {
    assert.deepEqual(parseResponseXml('<price currency="EUR" n="2">10.50</price>'), {
      price: { '@currency': 'EUR', '@n': '2', '#text': '10.50' },
    });
  });

  void test('repeated elements become lists', () => {
    assert.deepEqual(parseResponseXml('<r><i>1</i><i>2</i><one>x</one></r>'), {
      r: { i: ['1', '2'], one: 'x' },
    });
  });

  void test('predefined entities and character references are decoded, in text and attributes', () => {
    assert.deepEqual(
      parseResponseXml('<a t="&quot;q&quot; &#x41;">AT&amp;T &lt;3 &#233; &apos;</a>'),
      {
        a: { '@t': '"q" A', '#text': "AT&T <3 é '" },
      },
    );
  });

  void test('an unknown entity or an invalid reference is left as written', () => {
    assert.deepEqual(parseResponseXml('<a>&nbsp; &#0; &#xD800;</a>'), {
      a: '&nbsp; &#0; &#xD800;',
    });
  });

  void test('CDATA is kept as written and joins the text', () => {
    assert.deepEqual(parseResponseXml('<a><![CDATA[<b>&amp;</b>]]></a>'), { a: '<b>&amp;</b>' });
    assert.deepEqual(parseResponseXml('<a id="1"><![CDATA[x]]></a>'), {
      a: { '@id': '1', '#text': 'x' },
    });
  });

  void test('a DOCTYPE is refused, whatever its case', () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>';
    assert.throws(() => parseResponseXml(bomb), XmlParseError);
    assert.throws(() => parseResponseXml('<!doctype html><html></html>'), /DOCTYPE/);
  });

  void test('elements nested past 100 deep are refused', () => {
    const deep = '<a>'.repeat(150) + '</a>'.repeat(150);
    assert.throws(() => parseResponseXml(deep), XmlParseError);
    assert.doesNotThrow(() => parseResponseXml('<a>'.repeat(50) + '</a>'.repeat(50)));
  });

  void test('malformed XML is refused with the position', () => {
    assert.throws(() => parseResponseXml('<a><b></a>'), /line 1/);
    assert.throws(() => parseResponseXml('not xml at all'), XmlParseError);
  });
});
