/**
 * @module connectors/builtins/salesforce
 * Salesforce outbound messages: a SOAP `notifications` message in, one job per `Notification`
 * (as Workato and tray.io do), the SOAP `<Ack>true</Ack>` answered once the jobs are stored.
 * Salesforce resends a message until it is acknowledged; each notification is deduped on its
 * `Id`, so a resent message makes no second job. The message's SessionId (a credential) is
 * left out of the output: call Salesforce back through a connection instead.
 *
 * Outbound messages carry no signature. Keep the generated path (a 36-character secret), give
 * `organization_id` so that a message from another org is refused, and add `verify` if you can.
 *
 * @example
 *   trigger:
 *     salesforce: {organization_id: 00D5e000000XXXXEAA}
 */
import { z } from 'zod';
import { defineConnector, defineTrigger } from '../sdk/define-connector.js';
import { NoTrigger } from '../sdk/no-trigger.js';
import type { ProviderOutput } from './schemas.js';

export const SOAP_ACK =
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">' +
  '<soapenv:Body><notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound">' +
  '<Ack>true</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>';

type Xml = Record<string, unknown>;

interface OutboundMessage {
  organizationId: string | null;
  actionId: string | null;
  enterpriseUrl: string | null;
  partnerUrl: string | null;
  notifications: Xml[];
}

export interface SalesforceNotification extends ProviderOutput {
  /** The sObject type, e.g. `Opportunity`. */
  event: string | null;
  /** The notification's Id (the dedupe key). */
  eventId: string | null;
  organizationId: string | null;
  actionId: string | null;
  enterpriseUrl: string | null;
  /** The sObject's fields, e.g. `{Id, Name, StageName}`. */
  body: Xml;
}

export const salesforce = defineConnector({
  name: 'salesforce',
  title: 'Salesforce',
  triggers: {
    outbound_message: defineTrigger({
      title: 'Outbound messages of a workflow rule or flow',
      params: z.strictObject({ organization_id: z.string().min(15).optional() }),
      delivery: 'acknowledge',
      format: 'xml',

      filter(params, http) {
        const message = readMessage(http.body);
        if (!message) {
          throw new NoTrigger({
            status: 400,
            body: {
              error: { code: 'invalid_body', message: 'not a Salesforce outbound message' },
            },
          });
        }
        // Org ids come as 15 or 18 characters; the first 15 are the id, case-sensitive.
        const org = message.organizationId ?? '';
        if (params.organization_id && org.slice(0, 15) !== params.organization_id.slice(0, 15)) {
          throw NoTrigger.unauthorized(`the message comes from another organization (${org})`);
        }
        return message.notifications.length > 0;
      },

      before: (_params, http) => readMessage(http.body)!,

      split(message): SalesforceNotification[] {
        return message.notifications.map((n) => {
          const sObject = (
            typeof n.sObject === 'object' && n.sObject !== null ? n.sObject : {}
          ) as Xml;
          const type = typeof sObject['@type'] === 'string' ? sObject['@type'] : null;
          const fields = Object.fromEntries(
            Object.entries(sObject).filter(([k]) => !k.startsWith('@')),
          );
          return {
            event: type === null ? null : type.slice(type.indexOf(':') + 1),
            eventId: text(n.Id),
            organizationId: message.organizationId,
            actionId: message.actionId,
            enterpriseUrl: message.enterpriseUrl,
            body: fields,
            headers: {},
          };
        });
      },

      uniqueId: (_params, _http, notification) => notification.eventId,

      reply: () => ({
        status: 200,
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body: SOAP_ACK,
      }),
    }),
  },
});

function readMessage(body: unknown): OutboundMessage | null {
  const envelope = (body as { Envelope?: { Body?: { notifications?: unknown } } } | null)?.Envelope;
  const n = envelope?.Body?.notifications;
  if (typeof n !== 'object' || n === null) return null;
  const m = n as Xml;
  const list = Array.isArray(m.Notification)
    ? m.Notification
    : m.Notification
      ? [m.Notification]
      : [];
  return {
    organizationId: text(m.OrganizationId),
    actionId: text(m.ActionId),
    enterpriseUrl: text(m.EnterpriseUrl),
    partnerUrl: text(m.PartnerUrl),
    notifications: list.filter((x): x is Xml => typeof x === 'object' && x !== null),
  };
}

function text(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
