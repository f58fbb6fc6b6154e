import { Producer } from '../producer/producer.js';

/** Run one command's work with a Producer from the environment, closing it whatever happens. */
export async function withProducer<T>(fn: (producer: Producer) => Promise<T>): Promise<T> {
  const producer = await Producer.create();
  try {
    return await fn(producer);
  } finally {
    await producer.close();
  }
}
