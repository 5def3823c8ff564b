import { parseRetryAfter } from '../domain/delivery-schedule.ts';
import type { BankDirectoryEntry } from '../domain/entities.ts';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signWebhook } from '../domain/webhook-signature.ts';
import type { SecretStore } from './secret-store.ts';

/**
 * Push connector (docs/api.md): a signed POST to the bank's endpoint. 2xx delivered; connection errors,
 * timeouts, 401 (a bank mid-rotation), 408, 429 and 5xx are transient (retried with backoff until the
 * deadline, domain/delivery-schedule.ts); any other 4xx is permanent (DISPATCH_FAILED).
 */
export class ConnectorTransientError extends Error {
  override readonly name = 'ConnectorTransientError';
  constructor(
    message: string,
    /** The bank's Retry-After, in seconds, when it gave one. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** Statuses after which a delivery is tried again (docs/api.md "Push connector"). */
export const isTransientStatus = (status: number): boolean =>
  status === 401 || status === 408 || status === 429 || status >= 500;
export class ConnectorPermanentError extends Error {
  override readonly name = 'ConnectorPermanentError';
}

export type PushKind = 'FREEZE' | 'EXTEND' | 'EXPIRED' | 'REMINDER' | 'RELEASE';

export interface PushMessage {
  kind: PushKind;
  instructionId: string;
  [field: string]: unknown;
}

export interface BankConnector {
  push(bank: BankDirectoryEntry, message: PushMessage, deliveryId: string): Promise<void>;
}

export const PUSH_TIMEOUT_MS = 10_000;
/**
 * How long an attempt's claim on a delivery lasts (app/deliver-instruction.ts, app/deliver-notice.ts):
 * longer than one push can take plus the writes around it, and short enough that a restart carries an
 * attempt cut off by a crash on well within 30 s (docs/api.md "Running it locally").
 */
export const ATTEMPT_IN_FLIGHT_MS = PUSH_TIMEOUT_MS + 5_000;

/**
 * Signs with every valid secret of the bank, read from the SecretStore through the bank's
 * `signingSecretRef` (the bank entry never holds the secrets). A bank without a reference or without
 * secrets behind it cannot be pushed to (permanent); a store that cannot be read now is transient.
 */
export class HttpBankConnector implements BankConnector {
  constructor(
    private readonly secrets: SecretStore,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
    private readonly timeoutMs = PUSH_TIMEOUT_MS,
  ) {}

  private async signingSecrets(bank: BankDirectoryEntry): Promise<string[]> {
    if (!bank.signingSecretRef) {
      throw new ConnectorPermanentError(`bank ${bank.bankId} has no signing secret`);
    }
    let secrets: string[];
    try {
      secrets = await this.secrets.getSigningSecrets(bank.signingSecretRef, {
        rotatedAt: bank.signingSecretsRotatedAt,
      });
    } catch (error) {
      throw new ConnectorTransientError(
        `signing secret of bank ${bank.bankId} unavailable: ${(error as Error).name}`,
      );
    }
    if (secrets.length === 0) {
      throw new ConnectorPermanentError(`bank ${bank.bankId}: no signing secret behind its reference`);
    }
    return secrets;
  }

  async push(bank: BankDirectoryEntry, message: PushMessage, deliveryId: string): Promise<void> {
    if (!bank.endpoint) throw new ConnectorPermanentError(`bank ${bank.bankId} has no push endpoint`);
    const secrets = await this.signingSecrets(bank);
    const body = JSON.stringify(message);
    let response: Response;
    try {
      response = await fetch(bank.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [DELIVERY_HEADER]: deliveryId,
          [SIGNATURE_HEADER]: signWebhook(secrets, this.nowSeconds(), body),
        },
        body,
        // A redirect is not a delivery (a followed 302 would turn the signed POST into a GET).
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
    } catch (error) {
      throw new ConnectorTransientError(`bank ${bank.bankId} unreachable: ${(error as Error).message}`);
    }
    if (response.ok) return;
    const detail = `bank ${bank.bankId} answered ${response.status} to ${message.kind} ${message.instructionId}`;
    if (!isTransientStatus(response.status)) throw new ConnectorPermanentError(detail);
    throw new ConnectorTransientError(
      detail,
      parseRetryAfter(response.headers.get('retry-after'), new Date(this.nowSeconds() * 1000)),
    );
  }
}
