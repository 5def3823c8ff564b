import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { AuthProvider } from './auth.tsx';
import { loadConfig } from './config.ts';
import { ConsoleProvider } from './context.tsx';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
const queryClient = new QueryClient({
  defaultOptions: {
    // A refusal (4xx) is an answer, not a glitch: retry only what may succeed on its own.
    queries: {
      retry: (count, error) => count < 2 && (error as { isRetryable?: boolean }).isRetryable === true,
    },
  },
});

loadConfig(import.meta.env.BASE_URL).then(
  (config) =>
    root.render(
      <StrictMode>
        <QueryClientProvider client={queryClient}>
          <AuthProvider config={config}>
            <ConsoleProvider config={config}>
              <App />
            </ConsoleProvider>
          </AuthProvider>
        </QueryClientProvider>
      </StrictMode>,
    ),
  (error: unknown) =>
    root.render(
      <main className="page">
        <h1>freezeflow console</h1>
        <p role="alert">The console could not load its configuration: {String(error)}</p>
      </main>,
    ),
);
