import { freePort } from './ports.ts';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../infra/local/dynamodb-local.ts';

export { freePort };

export async function startTestDynamoDb(dataDir?: string): Promise<DynamoDbLocal> {
  return startDynamoDbLocal({ port: await freePort(), dataDir });
}
