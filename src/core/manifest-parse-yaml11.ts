/** YAML 1.1 scalars that kubectl (sigs.k8s.io/yaml) still reads, added to yaml's 1.2 core schema. */

/**
 * `0644` is octal (420), as YAML 1.1 and so kubectl (sigs.k8s.io/yaml) read it; YAML 1.2's core
 * schema would read 644, so a Secret volume's `defaultMode: 0400` (owner read-only) would become
 * 0o620 (group-writable) when applied. Checked before the core schema's decimal integers.
 */
export const LEGACY_OCTAL = {
  identify: () => false, // parsing only: never chosen to write a number
  default: true,
  tag: "tag:yaml.org,2002:int",
  test: /^[-+]?0[0-7]+$/,
  resolve: (source: string) => (source.startsWith("-") ? -1 : 1) * parseInt(source.replace(/^[-+]?0/, ""), 8),
};

/**
 * `yes`, `on`, `y` (and `no`, `off`, `n`, in their three casings) are booleans, as YAML 1.1 and so
 * kubectl read them; YAML 1.2's core schema reads strings, so `privileged: on` would slip past
 * every rule that looks for `true` while the cluster ran the container privileged.
 */
export const LEGACY_BOOL = {
  identify: () => false, // parsing only: never chosen to write a boolean
  default: true,
  tag: "tag:yaml.org,2002:bool",
  test: /^(?:y|Y|yes|Yes|YES|on|On|ON|n|N|no|No|NO|off|Off|OFF)$/,
  resolve: (source: string) => /^(?:y|yes|on)$/i.test(source),
};
