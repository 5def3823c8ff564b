import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../functions/adapters/event-publisher.ts';

/** How long the bus archive keeps the published events (replayable to a new subscriber). */
export const EVENT_ARCHIVE_RETENTION_DAYS = 90;

/**
 * The custom event bus of freezeflow's domain events (functions/adapters/event-publisher.ts:
 * `InstructionEscalated`, source `freezeflow`), for other systems to subscribe to with their own
 * rules. Only the functions whose catalog entry says `publishesEvents` may put events on it
 * (functions.ts). The archive keeps 90 days of them, so a subscriber added later can replay.
 */
export class Events extends Construct {
  readonly bus: events.EventBus;
  readonly archive: events.Archive;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: `${Stack.of(this).stackName}-events`,
      description: 'freezeflow domain events (source freezeflow): InstructionEscalated',
    });
    this.archive = this.bus.archive('Archive', {
      description: `freezeflow domain events, kept ${EVENT_ARCHIVE_RETENTION_DAYS} days for replay`,
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(EVENT_ARCHIVE_RETENTION_DAYS),
    });
  }
}
