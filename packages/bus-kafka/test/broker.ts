import { type KafkaBroker, startKafka } from '../../../tooling/kafka/kafka.mjs';

/**
 * The broker for a test file: `KAFKA_BROKERS` when set (your own broker; fault tests are
 * then skipped), else a private broker fetched from Maven Central and started here.
 */
export async function testBroker(): Promise<{ brokers: string; own: KafkaBroker | undefined }> {
  const external = process.env.KAFKA_BROKERS;
  if (external) return { brokers: external, own: undefined };
  const own = await startKafka();
  return { brokers: own.brokers, own };
}
