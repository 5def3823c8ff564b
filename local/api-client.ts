import { randomUUID } from 'node:crypto';
import type { Role } from '../functions/schemas/claims.ts';
import { signDevToken } from './dev-jwt.ts';

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A small client of the local HTTP API with dev tokens (demo, e2e tests, benchmark). */
export class ApiClient {
  private readonly tokens = new Map<string, Promise<string>>();

  constructor(
    readonly baseUrl: string,
    private readonly jwtSecret: string,
  ) {}

  token(role: Role, scope: { agencyId?: string; bankId?: string } = {}): Promise<string> {
    const key = `${role}|${scope.agencyId ?? ''}|${scope.bankId ?? ''}`;
    let token = this.tokens.get(key);
    if (!token) {
      token = signDevToken({ role, ...scope }, this.jwtSecret);
      this.tokens.set(key, token);
    }
    return token;
  }

  async request<T = unknown>(
    method: string,
    path: string,
    options: {
      as?: { role: Role; agencyId?: string; bankId?: string };
      body?: unknown;
      idempotencyKey?: string | true;
    } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    if (options.as) headers.authorization = `Bearer ${await this.token(options.as.role, options.as)}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.idempotencyKey) {
      headers['idempotency-key'] = options.idempotencyKey === true ? randomUUID() : options.idempotencyKey;
    }
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body:
        options.body === undefined
          ? undefined
          : typeof options.body === 'string'
            ? options.body
            : JSON.stringify(options.body),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (text ? JSON.parse(text) : undefined) as T,
      headers: response.headers,
    };
  }
}
