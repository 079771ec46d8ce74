/**
 * A Mailchimp-style connector, written the way any Hookflow connector is: a trigger that
 * subscribes to an audience's webhook when its workflow is enabled and unsubscribes when it is
 * disabled, and an action that adds a member. Copy it into your `connectors/` directory and
 * adapt it; docs/connectors.md walks through it.
 *
 * Its connection (e.g. `connections/mailchimp.yaml`) gives the API's base URL
 * (`https://<dc>.api.mailchimp.com/3.0`) and the API key.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { defineAction, defineConnector, defineTrigger, NoTrigger, z } from 'hookflow';

const EVENTS = ['subscribe', 'unsubscribe', 'profile', 'upemail', 'cleaned', 'campaign'] as const;

/** What `init` returns: kept by Hookflow, handed to `destroy` and to every request hook. */
interface Subscription {
  webhookId: string;
  /** Mailchimp signs nothing: the URL it calls carries this secret instead. */
  secret: string;
}

export default defineConnector({
  name: 'mailchimp',
  title: 'Mailchimp',
  triggers: {
    subscribe: defineTrigger({
      title: 'Audience events (new subscriber, unsubscribe, profile update…)',
      params: z.object({
        list_id: z.string().min(1),
        events: z.array(z.enum(EVENTS)).min(1).default(['subscribe']),
      }),
      delivery: 'acknowledge',
      format: 'form',

      // On enable: register our URL with the audience. The return value is the state.
      async init({ params, webhookUrl, http, idempotencyKey }): Promise<Subscription> {
        const secret = randomBytes(24).toString('hex');
        const res = await http.post<{ id: string }>(
          `/lists/${params.list_id}/webhooks`,
          {
            url: `${webhookUrl}?secret=${secret}`,
            events: Object.fromEntries(params.events.map((e) => [e, true])),
            sources: { user: true, admin: true, api: true },
          },
          { headers: { 'idempotency-key': idempotencyKey }, response: 'json' },
        );
        return { webhookId: res.body.id, secret };
      },

      // On disable, change or delete: remove it again. 404: someone already did.
      async destroy({ params, state, http }) {
        const res = await http.delete(`/lists/${params.list_id}/webhooks/${state.webhookId}`, {
          errors: 'continue',
        });
        if (res.status >= 300 && res.status !== 404) {
          throw new Error(
            `Mailchimp answered ${res.status} when removing webhook ${state.webhookId}`,
          );
        }
      },

      // Synchronous. Throw NoTrigger to answer without a job; return false to ignore.
      filter(params, http, { state }) {
        const given = Buffer.from(String(http.query.secret ?? ''));
        const expected = Buffer.from(state?.secret ?? '');
        if (!state || given.length !== expected.length || !timingSafeEqual(given, expected)) {
          throw NoTrigger.unauthorized('wrong or missing secret');
        }
        const type = (http.body as Record<string, string> | null)?.type;
        return (params.events as readonly string[]).includes(type ?? '');
      },

      // The trigger output the workflow's steps read as `trigger.*`.
      before(_params, http) {
        const form = http.body as Record<string, string>;
        const merges = Object.fromEntries(
          Object.entries(form)
            .filter(([k]) => k.startsWith('data[merges]['))
            .map(([k, v]) => [k.slice('data[merges]['.length, -1), v]),
        );
        return {
          event: form.type ?? null,
          email: form['data[email]'] ?? null,
          listId: form['data[list_id]'] ?? null,
          firedAt: form.fired_at ?? null,
          merges,
        };
      },

      // Mailchimp retries a delivery it got no 200 for: the same key makes no second job.
      uniqueId: (_params, _http, out) => `${out.event}:${out.listId}:${out.email}:${out.firedAt}`,

      reply: () => ({ status: 200, body: 'ok' }),
    }),
  },

  actions: {
    add_member: defineAction({
      title: 'Add or update an audience member',
      params: z.object({
        list_id: z.string().min(1),
        email: z.email(),
        status: z.enum(['subscribed', 'pending']).default('subscribed'),
        merge_fields: z.record(z.string(), z.string()).optional(),
      }),
      async run({ params, http }) {
        const hash = createHash('md5').update(params.email.toLowerCase()).digest('hex');
        const res = await http.put<{ id: string; status: string }>(
          `/lists/${params.list_id}/members/${hash}`,
          {
            email_address: params.email,
            status_if_new: params.status,
            merge_fields: params.merge_fields ?? {},
          },
          { response: 'json', attempts: 3 },
        );
        return { id: res.body.id, status: res.body.status };
      },
    }),
  },
});
