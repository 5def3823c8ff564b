import { it, expect, inject } from 'vitest';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { useDynamoLocal } from '../test/support/dynamo.ts';
const d = useDynamoLocal();
it('fails', async () => {
  console.log('endpoint', inject('dynamoLocalEndpoint'));
  await d.client.send(new ListTablesCommand({}));
  if (process.env.HANG) await new Promise((r) => setTimeout(r, 30000));
  expect(1).toBe(2);
});
