import { type PrivateKafka, startPrivateKafka } from '@sse/brokers';

/**
 * The broker for a test file: `KAFKA_BROKERS` when set (your own broker; fault tests are
 * then skipped), else a private broker fetched from Maven Central and started here.
 */
export async function testBroker(): Promise<{ brokers: string; own: PrivateKafka | undefined }> {
  const external = process.env.KAFKA_BROKERS;
  if (external) return { brokers: external, own: undefined };
  const own = await startPrivateKafka();
  return { brokers: own.brokers, own };
}
