import { lazy, Suspense, useEffect } from 'react';
import { Link, Redirect, Route, Router, Switch, useLocation } from 'wouter';
import { type Role, useAuth } from './auth.tsx';
import { Loading } from './components/common.tsx';
import { CaseRoom } from './pages/CaseRoom.tsx';
import { OidcCallback, SignIn } from './pages/SignIn.tsx';

const CaseLive = lazy(() => import('./pages/CaseLive.tsx').then((m) => ({ default: m.CaseLive })));
// Each room is its own chunk: the charts (Observable Plot) load with the regulator room only, the
// API's zod schemas with the rooms that check forms by them.
const RegulatorRoom = lazy(() =>
  import('./pages/RegulatorRoom.tsx').then((m) => ({ default: m.RegulatorRoom })),
);
const BankDesk = lazy(() => import('./pages/bank/BankDesk.tsx').then((m) => ({ default: m.BankDesk })));
const BankInstructionPage = lazy(() =>
  import('./pages/bank/BankInstruction.tsx').then((m) => ({ default: m.BankInstructionPage })),
);
const BankRegistration = lazy(() =>
  import('./pages/bank/BankRegistration.tsx').then((m) => ({ default: m.BankRegistration })),
);

/** Which rooms each role sees (the API enforces the same; this only hides what would be refused). */
const rooms: Record<Role, { path: string; label: string }[]> = {
  police: [{ path: '/cases', label: 'Case room' }],
  regulator: [{ path: '/regulator', label: 'Regulator room' }],
  bank: [{ path: '/bank', label: 'Bank desk' }],
  admin: [],
};

function Shell({ children }: { children: React.ReactNode }) {
  const { session, signOut } = useAuth();
  const [location] = useLocation();
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link href="/" className="brand">
          freezeflow
        </Link>
        {session ? (
          <nav aria-label="Rooms">
            {rooms[session.role].map((r) => (
              <Link
                key={r.path}
                href={r.path}
                aria-current={location.startsWith(r.path) ? 'page' : undefined}
              >
                {r.label}
              </Link>
            ))}
          </nav>
        ) : null}
        <div className="who">
          {session ? (
            <>
              <span data-testid="signed-in-as">
                {session.role}
                {session.agencyId ? ` · ${session.agencyId}` : ''}
                {session.bankId ? ` · ${session.bankId}` : ''}
              </span>
              <button type="button" className="link" onClick={signOut}>
                Sign out
              </button>
            </>
          ) : null}
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

function RequireRole({ roles, children }: { roles: Role[]; children: React.ReactNode }) {
  const { session } = useAuth();
  const [location] = useLocation();
  if (!session) return <Redirect to={`/sign-in?next=${encodeURIComponent(location)}`} />;
  if (!roles.includes(session.role))
    return (
      <div role="alert" className="state error">
        This room is not for the role {session.role}.
      </div>
    );
  return <>{children}</>;
}

function Home() {
  const { session } = useAuth();
  if (!session) return <Redirect to="/sign-in" />;
  const first = rooms[session.role][0];
  return first ? <Redirect to={first.path} /> : <p>No room for the role {session.role} yet.</p>;
}

function Title({ text }: { text: string }) {
  useEffect(() => {
    document.title = `${text} · freezeflow console`;
  }, [text]);
  return null;
}

export function App() {
  return (
    <Router base="/console">
      <Shell>
        <Switch>
          <Route path="/">
            <Home />
          </Route>
          <Route path="/sign-in">
            <Title text="Sign in" />
            <SignIn />
          </Route>
          <Route path="/callback">
            <OidcCallback />
          </Route>
          <Route path="/cases">
            <Title text="Case room" />
            <RequireRole roles={['police']}>
              <CaseRoom />
            </RequireRole>
          </Route>
          <Route path="/cases/:caseId">
            {(params) => (
              <RequireRole roles={['police', 'regulator']}>
                <Title text={`Case ${params.caseId}`} />
                <Suspense fallback={<Loading what="the case view" />}>
                  <CaseLive caseId={params.caseId} />
                </Suspense>
              </RequireRole>
            )}
          </Route>
          <Route path="/regulator">
            <Title text="Regulator room" />
            <RequireRole roles={['regulator']}>
              <Suspense fallback={<Loading what="the regulator room" />}>
                <RegulatorRoom />
              </Suspense>
            </RequireRole>
          </Route>
          <Route path="/bank">
            <Title text="Bank desk" />
            <RequireRole roles={['bank']}>
              <Suspense fallback={<Loading what="the bank desk" />}>
                <BankDesk />
              </Suspense>
            </RequireRole>
          </Route>
          <Route path="/bank/registration">
            <Title text="Registration · Bank desk" />
            <RequireRole roles={['bank']}>
              <Suspense fallback={<Loading what="the registration" />}>
                <BankRegistration />
              </Suspense>
            </RequireRole>
          </Route>
          <Route path="/bank/instructions/:instructionId">
            {(params) => (
              <RequireRole roles={['bank']}>
                <Title text={`Instruction ${params.instructionId} · Bank desk`} />
                <Suspense fallback={<Loading what="the instruction" />}>
                  <BankInstructionPage instructionId={params.instructionId} />
                </Suspense>
              </RequireRole>
            )}
          </Route>
          <Route>
            <Title text="Not found" />
            <h1>Not found</h1>
            <p>
              <Link href="/">Back to the console</Link>
            </p>
          </Route>
        </Switch>
      </Shell>
    </Router>
  );
}
