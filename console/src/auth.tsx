import { InMemoryWebStorage, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import type { RuntimeConfig } from './config.ts';

export type Role = 'police' | 'bank' | 'regulator' | 'admin';

export interface Session {
  token: string;
  role: Role;
  sub: string;
  agencyId?: string;
  bankId?: string;
  expiresAt?: number;
}

/** Reads the claims the API authorizes on (the API verifies the signature; this only shows them). */
export function sessionFromToken(token: string): Session {
  const part = token.split('.')[1] ?? '';
  const json = atob(
    part
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(part.length / 4) * 4, '='),
  );
  const claims = JSON.parse(json) as Record<string, unknown>;
  const role = String(claims.role ?? '') as Role;
  if (!['police', 'bank', 'regulator', 'admin'].includes(role))
    throw new Error('the token has no console role');
  return {
    token,
    role,
    sub: String(claims.sub ?? ''),
    ...(typeof claims.agencyId === 'string' ? { agencyId: claims.agencyId } : {}),
    ...(typeof claims.bankId === 'string' ? { bankId: claims.bankId } : {}),
    ...(typeof claims.exp === 'number' ? { expiresAt: claims.exp * 1000 } : {}),
  };
}

interface AuthState {
  session: Session | undefined;
  signIn(session: Session): void;
  signOut(): void;
  /** OIDC only: authorization code + PKCE redirect to the issuer. */
  oidc: UserManager | undefined;
}

const AuthContext = createContext<AuthState | undefined>(undefined);

/**
 * Holds the token in memory only (React state; never localStorage): a reload signs the person out.
 * In AWS the identity provider's session makes signing in again one redirect.
 */
export function AuthProvider({ config, children }: { config: RuntimeConfig; children: ReactNode }) {
  const [session, setSession] = useState<Session | undefined>();
  const oidc = useMemo(() => {
    if (config.auth.mode !== 'oidc') return undefined;
    const origin = window.location.origin;
    return new UserManager({
      authority: config.auth.issuer,
      client_id: config.auth.clientId,
      redirect_uri: `${origin}${config.auth.redirectPath ?? '/console/callback'}`,
      response_type: 'code',
      scope: config.auth.scope ?? 'openid',
      // Tokens stay in memory; only the PKCE verifier and state survive the redirect (sessionStorage).
      userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    });
  }, [config]);
  const signIn = useCallback((s: Session) => setSession(s), []);
  const signOut = useCallback(() => setSession(undefined), []);
  const value = useMemo(() => ({ session, signIn, signOut, oidc }), [session, signIn, signOut, oidc]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth outside AuthProvider');
  return state;
}
