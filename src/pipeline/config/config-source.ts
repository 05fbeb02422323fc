// The port through which config files are read, so resolution stays free of fs (store/fs-config-source.ts adapts it).

/** Reads the YAML text of a Hydra-style configs folder: config.yaml plus one folder per group. */
export interface ConfigSource {
  /** The text of `<group>/<option>.yaml`, or undefined if there is no such option. */
  readGroupOption(group: string, option: string, signal?: AbortSignal): Promise<string | undefined>;
  /** The options of a group (file names without `.yaml`), sorted; empty if the group does not exist. */
  listOptions(group: string, signal?: AbortSignal): Promise<string[]>;
  /** The text of the root `config.yaml`. */
  readRoot(signal?: AbortSignal): Promise<string>;
  /** How errors name this source's files, e.g. `configs/task/binary.yaml`. */
  readonly label?: string | undefined;
}

/**
 * Values the caller supplies for `${vars.NAME}`: the config never reads the environment itself,
 * so the one place that does (the CLI or server root) passes what it found here.
 */
export interface ConfigVars {
  /** The data directory (ARGINATOR_HOME or ./.arginator), absolute. */
  readonly home: string;
  /** The installed package's folder (shipped data and configs), absolute. */
  readonly package_root: string;
  readonly [name: string]: string;
}
