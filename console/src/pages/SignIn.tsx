import { type FormEvent, useEffect, useId, useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import { type Role, sessionFromToken, useAuth } from '../auth.tsx';
import { useConsole } from '../context.tsx';

function safeNext(next: string | null): string {
  // Only a path inside the console (never another origin).
  return next && /^\/[A-Za-z0-9/._~%-]*$/.test(next) && !next.startsWith('//') ? next : '/';
}

export function SignIn() {
  const { config } = useConsole();
  const { signIn, oidc } = useAuth();
  const [, navigate] = useLocation();
  const next = safeNext(new URLSearchParams(useSearch()).get('next'));
  const [role, setRole] = useState<Role>('police');
  const [agencyId, setAgency] = useState('PSB-0001');
  const [bankId, setBank] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const id = useId();

  if (config.auth.mode === 'oidc') {
    return (
      <section className="card narrow">
        <h1>Sign in</h1>
        <p>You sign in with your organisation's identity provider ({config.auth.issuer}).</p>
        <button type="button" onClick={() => void oidc?.signinRedirect({ state: next })}>
          Sign in
        </button>
      </section>
    );
  }
  const { tokenUrl } = config.auth;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          role,
          ...(role === 'police' ? { agencyId } : {}),
          ...(role === 'bank' ? { bankId } : {}),
        }),
      });
      const body = (await response.json()) as { token?: string; detail?: string };
      if (!response.ok || !body.token) throw new Error(body.detail ?? `sign-in refused (${response.status})`);
      signIn(sessionFromToken(body.token));
      navigate(next);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card narrow">
      <h1>Dev sign-in</h1>
      <p className="hint">
        Local only: the local server signs a dev token for the role you choose. In AWS this page is the
        identity provider's sign-in.
      </p>
      <form onSubmit={submit}>
        <label htmlFor={`${id}-role`}>Role</label>
        <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
          <option value="police">police officer</option>
          <option value="bank">bank</option>
          <option value="regulator">regulator</option>
        </select>
        {role === 'police' ? (
          <>
            <label htmlFor={`${id}-agency`}>Agency id</label>
            <input
              id={`${id}-agency`}
              value={agencyId}
              onChange={(e) => setAgency(e.target.value)}
              required
            />
          </>
        ) : null}
        {role === 'bank' ? (
          <>
            <label htmlFor={`${id}-bank`}>Bank id</label>
            <input id={`${id}-bank`} value={bankId} onChange={(e) => setBank(e.target.value)} required />
          </>
        ) : null}
        {error ? (
          <p role="alert" className="field-error">
            {error}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}

export function OidcCallback() {
  const { oidc, signIn } = useAuth();
  const [, navigate] = useLocation();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    if (!oidc) return;
    oidc.signinRedirectCallback().then(
      (user) => {
        signIn(sessionFromToken(user.access_token));
        navigate(safeNext(typeof user.state === 'string' ? user.state : null), { replace: true });
      },
      (e: unknown) => setError(String(e)),
    );
  }, [oidc, signIn, navigate]);
  return error ? <p role="alert">Sign-in failed: {error}</p> : <p role="status">Signing in…</p>;
}
