// An in-memory ConfigSource for tests: file paths relative to a configs folder mapped to YAML text.
import type { ConfigSource } from '../config-source.ts';

export function memoryConfigSource(files: Readonly<Record<string, string>>): ConfigSource {
  return {
    label: 'configs',
    readRoot: () => Promise.resolve(files['config.yaml'] ?? ''),
    readGroupOption: (group, option) => Promise.resolve(files[`${group}/${option}.yaml`]),
    listOptions: (group) =>
      Promise.resolve(
        Object.keys(files)
          .filter((f) => f.startsWith(`${group}/`) && f.endsWith('.yaml'))
          .map((f) => f.slice(group.length + 1, -'.yaml'.length))
          .sort(),
      ),
  };
}
