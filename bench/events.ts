import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';

/** The API Gateway event of a bank's confirmation, to call the handler directly (no HTTP in the way). */
export function apiEventFor(
  bankId: string,
  instructionId: string,
  body: unknown,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const path = `/banks/${bankId}/instructions/${instructionId}/confirmations`;
  return {
    version: '2.0',
    routeKey: 'POST /banks/{bankId}/instructions/{instructionId}/confirmations',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    pathParameters: { bankId, instructionId },
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'bench',
      domainPrefix: 'bench',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: 'bench',
      routeKey: 'POST /banks/{bankId}/instructions/{instructionId}/confirmations',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
      authorizer: {
        principalId: bankId,
        integrationLatency: 0,
        jwt: { claims: { sub: `${bankId}-bench`, role: 'bank', bankId }, scopes: [] },
      },
    },
  };
}

/** The API Gateway event of a police officer's GET /cases/{caseId}/totals. */
export function totalsEventFor(agencyId: string, caseId: string): APIGatewayProxyEventV2WithJWTAuthorizer {
  const path = `/cases/${caseId}/totals`;
  const routeKey = 'GET /cases/{caseId}/totals';
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: {},
    pathParameters: { caseId },
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'bench',
      domainPrefix: 'bench',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: 'bench',
      routeKey,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
      authorizer: {
        principalId: 'bench-police',
        integrationLatency: 0,
        jwt: { claims: { sub: 'bench-police', role: 'police', agencyId }, scopes: [] },
      },
    },
  };
}
