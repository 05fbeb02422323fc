// The alert webhook of drift checks: which stored reports are alerted on, their body, and the sends in flight.
import {
  alertReasons,
  alertVariables,
  DEFAULT_ALERT_BODY,
  renderAlertBody,
  unknownPlaceholders,
  type AlertRules,
} from '../core/drift/drift-alert.ts';
import { ArginatorError } from '../core/errors.ts';
import type { ResolvedConfig } from '../pipeline/config/schema.ts';
import type { StoredDriftReport } from '../pipeline/drift.ts';
import { createWebhook, type Delivery, type WebhookLog } from '../io/alert-webhook.ts';

export type MonitoringSettings = ResolvedConfig['monitoring'];

export interface DriftAlerts {
  /** Alerts on `stored` if a rule says so (in the background; the promise is for tests). */
  onReport(stored: StoredDriftReport): Promise<Delivery | undefined>;
  /** Stops retries and attempts in flight (shutdown). */
  close(): void;
}

/** The alert rules and webhook of monitoring.*; undefined when no webhook URL is set. */
export function createDriftAlerts(
  settings: MonitoringSettings,
  webhookUrl: string | null,
  log: WebhookLog,
): DriftAlerts | undefined {
  if (webhookUrl === null) {
    return undefined;
  }
  if (!/^https?:\/\//i.test(webhookUrl) || !URL.canParse(webhookUrl)) {
    throw new ArginatorError(
      'CONFIG',
      'monitoring.bad-webhook-url',
      'monitoring.webhook_url (or ARGINATOR_DRIFT_WEBHOOK_URL) is not an http(s) URL',
      'set it to the receiver, e.g. https://hooks.example.org/arginator',
    );
  }
  const template = settings.webhook_body ?? DEFAULT_ALERT_BODY;
  const unknown = unknownPlaceholders(template);
  if (unknown.length > 0) {
    throw new ArginatorError(
      'CONFIG',
      'monitoring.bad-webhook-body',
      `monitoring.webhook_body uses unknown placeholder${unknown.length === 1 ? '' : 's'} ${unknown.map((u) => `{{${u}}}`).join(', ')}`,
      'use the placeholders docs/monitoring.md lists (e.g. {{summary}}, {{share}}, {{report_id}})',
    );
  }
  const rules: AlertRules = {
    onDrift: settings.alert_on_drift,
    noveltyRate: settings.alert_novelty_rate ?? undefined,
  };
  const webhook = createWebhook(
    {
      url: webhookUrl,
      headers: settings.webhook_headers,
      timeoutMs: settings.webhook_timeout_seconds * 1000,
      maxAttempts: settings.webhook_max_attempts,
      backoffMs: settings.webhook_backoff_seconds * 1000,
      maxBackoffMs: settings.webhook_max_backoff_seconds * 1000,
    },
    log,
  );
  return {
    async onReport(stored) {
      const reasons = alertReasons(stored.report, rules);
      if (reasons.length === 0) {
        return undefined;
      }
      const vars = alertVariables({
        id: stored.id,
        createdAt: stored.createdAt,
        trigger: stored.trigger,
        report: stored.report,
        reasons,
        rules,
      });
      return webhook.send(renderAlertBody(template, vars), { report_id: stored.id });
    },
    close: () => webhook.close(),
  };
}
