import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';
import { type Api, createApi } from './api/client.ts';
import { useAuth } from './auth.tsx';
import type { RuntimeConfig } from './config.ts';

interface ConsoleState {
  config: RuntimeConfig;
  api: Api;
  token(): string | undefined;
  /**
   * Cases this officer opened or looked up in this tab. The API has no route that lists an
   * agency's cases (docs/api.md "Routes"), so the list lives in memory, like the token.
   */
  knownCases: string[];
  rememberCase(caseId: string): void;
}

const ConsoleContext = createContext<ConsoleState | undefined>(undefined);

export function ConsoleProvider({ config, children }: { config: RuntimeConfig; children: ReactNode }) {
  const { session } = useAuth();
  const tokenRef = useRef<string | undefined>(undefined);
  tokenRef.current = session?.token;
  const token = useCallback(() => tokenRef.current, []);
  const api = useMemo(() => createApi(config.apiUrl || window.location.origin, token), [config, token]);
  const [knownCases, setKnown] = useState<string[]>([]);
  const rememberCase = useCallback(
    (caseId: string) => setKnown((list) => (list.includes(caseId) ? list : [caseId, ...list])),
    [],
  );
  const value = useMemo(
    () => ({ config, api, token, knownCases, rememberCase }),
    [config, api, token, knownCases, rememberCase],
  );
  return <ConsoleContext.Provider value={value}>{children}</ConsoleContext.Provider>;
}

export function useConsole(): ConsoleState {
  const state = useContext(ConsoleContext);
  if (!state) throw new Error('useConsole outside ConsoleProvider');
  return state;
}
