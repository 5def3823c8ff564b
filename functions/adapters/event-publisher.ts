import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { traced } from './tracer.ts';

/** Domain events other systems subscribe to (EventBridge in AWS, an in-process emitter locally). */
export interface DomainEvent {
  detailType: 'InstructionEscalated';
  detail: Record<string, unknown>;
}

export interface EventPublisher {
  publish(event: DomainEvent): Promise<void>;
}

export const EVENT_SOURCE = 'freezeflow';
export const EVENT_BUS_ENV = 'FREEZEFLOW_EVENT_BUS';

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(event: DomainEvent): Promise<void> {
    const out = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
          },
        ],
      }),
    );
    if (out.FailedEntryCount)
      throw new Error(`PutEvents failed: ${out.Entries?.[0]?.ErrorMessage ?? 'unknown'}`);
  }
}

export function eventBridgeFromEnvironment(env: NodeJS.ProcessEnv = process.env): EventPublisher {
  const bus = env[EVENT_BUS_ENV];
  if (!bus) throw new Error(`${EVENT_BUS_ENV} is not set`);
  return new EventBridgePublisher(traced(new EventBridgeClient({})), bus);
}
