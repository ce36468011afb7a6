/**
 * `@sse/bus-kafka`: the `@sse/core` Bus on Apache Kafka (KafkaJS or a compatible client).
 * @module
 */
export { createKafkaBus } from './kafka-bus.js';
export type {
  KafkaAdminLike,
  KafkaConsumerLike,
  KafkaLike,
  KafkaMessageLike,
  KafkaProducerLike,
} from './kafka-client.js';
export type { KafkaBusOptions } from './options.js';
export { comparePositions, epochOf, parsePosition } from './position.js';
