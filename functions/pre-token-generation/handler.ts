import { log } from '../adapters/logger.ts';
import { claimsFor, type PreTokenGenerationEvent } from '../domain/token-claims.ts';

export {
  BANK_SCOPE_PREFIX,
  bankScope,
  type PreTokenGenerationEvent,
  RESOURCE_SERVER_ID,
} from '../domain/token-claims.ts';

/** Cognito pre-token-generation trigger (V2_0 for people, V3_0 also for bank systems). */
export async function handler(event: PreTokenGenerationEvent): Promise<PreTokenGenerationEvent> {
  const { claims, why } = claimsFor(event);
  if (!claims) {
    log.warn('token without a freezeflow role', {
      triggerSource: event.triggerSource,
      clientId: event.callerContext?.clientId,
      why,
    });
    return event;
  }
  const add: Record<string, string> = Object.fromEntries(
    Object.entries(claims).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  event.response.claimsAndScopeOverrideDetails = {
    accessTokenGeneration: { claimsToAddOrOverride: add },
    // No ID token in a client-credentials grant.
    ...(event.triggerSource === 'TokenGeneration_ClientCredentials'
      ? {}
      : { idTokenGeneration: { claimsToAddOrOverride: add } }),
  };
  return event;
}
