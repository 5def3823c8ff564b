/**
 * Loopback stand-ins for the AWS services the bundles call besides DynamoDB (test/infra/bundle-smoke.test.ts):
 * one HTTP server that speaks the AWS JSON protocol (the operation in `X-Amz-Target`) for Step
 * Functions, Secrets Manager and EventBridge, and records every request; the SDK clients reach it
 * through the service-specific endpoint variables (`AWS_ENDPOINT_URL_SFN`, …, @smithy/core
 * getEndpointUrlConfig). Only the operations the code uses are answered; anything else is recorded as
 * unknown and refused, so a new call shows up. Beside it, an X-Ray daemon stand-in (UDP) collects the
 * trace segments that active tracing sends.
 */
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AwsRequest {
  /** `AWSStepFunctions.StartExecution`, `secretsmanager.GetSecretValue`, `AWSEvents.PutEvents`, … */
  target: string;
  /** The SigV4 credential scope's service (`states`, `secretsmanager`, `events`): signed for the right one? */
  signedFor: string | undefined;
  body: Record<string, unknown>;
}

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export interface AwsStandIns {
  endpoint: string;
  requests: AwsRequest[];
  secrets: Map<string, { secretString: string; kmsKeyId?: string }>;
  /** `127.0.0.1:<port>` of the X-Ray daemon stand-in (UDP), for AWS_XRAY_DAEMON_ADDRESS. */
  xrayDaemon: string;
  /** The trace segments it received (their JSON documents). */
  segments: Record<string, unknown>[];
  /** Requests whose target no stand-in answers. */
  unknown(): AwsRequest[];
  close(): Promise<void>;
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startAwsStandIns(region: string): Promise<AwsStandIns> {
  const requests: AwsRequest[] = [];
  const unknownTargets: AwsRequest[] = [];
  const secrets = new Map<string, { secretString: string; kmsKeyId?: string }>();
  const executions = new Set<string>();
  const secretArn = (name: string) => `arn:aws:secretsmanager:${region}:000000000000:secret:${name}-AbCdEf`;

  const answer = (request: AwsRequest): Record<string, unknown> => {
    const b = request.body as Record<string, string | undefined>;
    switch (request.target) {
      case 'AWSStepFunctions.StartExecution': {
        const id = `${b.stateMachineArn}:${b.name}`;
        if (executions.has(id))
          throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${id}'`);
        executions.add(id);
        return {
          executionArn: `${b.stateMachineArn?.replace(':stateMachine:', ':execution:')}:${b.name}`,
          startDate: Date.now() / 1000,
        };
      }
      case 'AWSStepFunctions.SendTaskSuccess':
      case 'AWSStepFunctions.SendTaskFailure':
        return {};
      case 'secretsmanager.DescribeSecret': {
        const name = b.SecretId ?? '';
        if (!secrets.has(name))
          throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        return { ARN: secretArn(name), Name: name };
      }
      case 'secretsmanager.CreateSecret': {
        const name = b.Name ?? '';
        if (secrets.has(name))
          throw new AwsError('ResourceExistsException', `the secret ${name} already exists`);
        secrets.set(name, {
          secretString: b.SecretString ?? '',
          ...(b.KmsKeyId ? { kmsKeyId: b.KmsKeyId } : {}),
        });
        return { ARN: secretArn(name), Name: name, VersionId: randomUUID() };
      }
      case 'secretsmanager.PutSecretValue': {
        const name = b.SecretId ?? '';
        const existing = secrets.get(name);
        if (!existing)
          throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        secrets.set(name, { ...existing, secretString: b.SecretString ?? '' });
        return { ARN: secretArn(name), Name: name, VersionId: randomUUID() };
      }
      case 'secretsmanager.GetSecretValue': {
        const name = b.SecretId ?? '';
        const secret = secrets.get(name);
        if (!secret)
          throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        return { ARN: secretArn(name), Name: name, SecretString: secret.secretString, VersionId: 'v1' };
      }
      case 'AWSEvents.PutEvents': {
        const entries = (request.body.Entries as unknown[] | undefined) ?? [];
        return { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) };
      }
      default:
        unknownTargets.push(request);
        throw new AwsError(
          'UnknownOperationException',
          `the smoke test's stand-in does not answer ${request.target}`,
        );
    }
  };

  const server: Server = createServer(async (req, res) => {
    const text = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const signedFor = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(
      String(req.headers.authorization ?? ''),
    )?.[1];
    const request: AwsRequest = {
      target,
      signedFor,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
    requests.push(request);
    const contentType = String(req.headers['content-type'] ?? 'application/x-amz-json-1.1');
    try {
      const out = answer(request);
      res.writeHead(200, { 'content-type': contentType });
      res.end(JSON.stringify(out));
    } catch (error) {
      const type = error instanceof AwsError ? error.type : 'InternalFailure';
      res.writeHead(400, { 'content-type': contentType, 'x-amzn-errortype': type });
      res.end(JSON.stringify({ __type: type, message: (error as Error).message }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // The X-Ray daemon: each datagram is a header line and a segment document.
  const segments: Record<string, unknown>[] = [];
  const daemon = createSocket('udp4');
  daemon.on('message', (message) => {
    const document = message.toString('utf8').split('\n').slice(1).join('\n');
    try {
      segments.push(JSON.parse(document) as Record<string, unknown>);
    } catch {
      segments.push({ unparsed: document });
    }
  });
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    secrets,
    xrayDaemon: `127.0.0.1:${daemon.address().port}`,
    segments,
    unknown: () => [...unknownTargets],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        daemon.close();
        server.close(() => resolve());
      }),
  };
}
