export { checkApi } from './api-checks.ts';
export { createFreezeflowClient, type FreezeflowClient, type paths } from './client.ts';
export { type ConfirmAnswer, ConfirmationRefused, type ConfirmOptions, confirm } from './confirm.ts';
export { type CheckResult, checkReceiver, formatResult, PUSH_KINDS, samplePush } from './conformance.ts';
export {
  DELIVERY_HEADER,
  DeliveryLog,
  REPLAY_WINDOW_SECONDS,
  SIGNATURE_HEADER,
  signPayload,
  type Verification,
  verifySignature,
} from './verify.ts';
