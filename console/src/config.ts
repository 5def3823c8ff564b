/**
 * The runtime configuration, fetched from `config.json` beside index.html: locally the server
 * answers it (dev sign-in), in AWS the CDK stack writes it (infra/constructs/console.ts).
 */
export interface RuntimeConfig {
  /** Base URL of the HTTP API; empty = the same origin. */
  apiUrl: string;
  auth:
    | { mode: 'dev'; tokenUrl: string }
    | { mode: 'oidc'; issuer: string; clientId: string; scope?: string; redirectPath?: string };
  environment?: string;
}

export async function loadConfig(base: string): Promise<RuntimeConfig> {
  const response = await fetch(`${base}config.json`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: ${response.status}`);
  const config = (await response.json()) as RuntimeConfig;
  return { ...config, apiUrl: config.apiUrl.replace(/\/$/, '') };
}
