import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import chromium, { inflate } from "@sparticuz/chromium";
import { chromium as playwright } from "playwright-core";
import type { Browser } from "playwright-core";

/**
 * Launches the headless Chromium that ships inside the `@sparticuz/chromium` npm package, so the
 * tests need no apt package and no browser download: `npm ci` brings everything.
 *
 * The package extracts into `os.tmpdir()`; pointing TMPDIR at a directory of this test run keeps
 * parallel runs on a shared machine from reading each other's half-written binary. Its bundled
 * NSS/expat libraries and font go on the browser's own environment, so the host needs neither
 * (a fresh Debian or a slim container has no libnss3 and no fonts).
 */
export async function launchBundledChromium(dir: string): Promise<Browser> {
  const bin = join(dirname(fileURLToPath(import.meta.resolve("@sparticuz/chromium"))), "..", "bin");
  const savedTmpdir = process.env["TMPDIR"];
  let executable: string;
  let libraries: string;
  await mkdir(dir, { recursive: true });
  try {
    process.env["TMPDIR"] = dir;
    executable = await chromium.executablePath(bin);
    libraries = join(await inflate(join(bin, "al2023.tar.br")), "lib");
  } catch (cause) {
    throw new Error(`extracting the Chromium of @sparticuz/chromium into ${dir}`, { cause });
  } finally {
    if (savedTmpdir === undefined) delete process.env["TMPDIR"];
    else process.env["TMPDIR"] = savedTmpdir;
  }
  // The package's fonts.conf names Lambda's paths; point fontconfig at the extracted font instead.
  const fontsConf = join(dir, "fonts.conf");
  await writeFile(
    fontsConf,
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig><dir>${join(dir, "fonts", "fonts")}</dir><cachedir>${join(dir, "fonts-cache")}</cachedir></fontconfig>\n`,
  );
  try {
    return await playwright.launch({
      executablePath: executable,
      args: chromium.args,
      env: { ...process.env, LD_LIBRARY_PATH: libraries, FONTCONFIG_FILE: fontsConf, HOME: dir },
    });
  } catch (cause) {
    throw new Error(`launching the bundled Chromium (${executable})`, { cause });
  }
}
