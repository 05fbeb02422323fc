// Name → embedder factory. Composition roots register adapters (precomputed, onnx) next to the built-ins.
import { ArginatorError } from '../errors.ts';
import type { Embedder, EmbedderFactory, EmbedderOptions } from './embedder.ts';

export class EmbedderRegistry {
  private readonly factories = new Map<string, EmbedderFactory>();

  register(factory: EmbedderFactory): this {
    if (this.factories.has(factory.name)) {
      throw new ArginatorError(
        'INTERNAL',
        'embedder.duplicate',
        `embedder '${factory.name}' is registered twice`,
        'register each embedder name once',
      );
    }
    this.factories.set(factory.name, factory);
    return this;
  }

  names(): string[] {
    return [...this.factories.keys()].sort();
  }

  describe(): { name: string; description: string }[] {
    return this.names().map((name) => ({
      name,
      description: this.factories.get(name)?.description ?? '',
    }));
  }

  async create(name: string, options: EmbedderOptions = {}): Promise<Embedder> {
    const factory = this.factories.get(name);
    if (factory === undefined) {
      throw new ArginatorError(
        'USAGE',
        'embedder.unknown',
        `unknown embedder '${name}'`,
        `use one of: ${this.names().join(', ')}`,
      );
    }
    return factory.create(options);
  }
}
