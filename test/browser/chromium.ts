// The browser every machine tests with: $CHROMIUM_PATH when set, else the Chromium build shipped
// inside the npm package @sparticuz/chromium, unpacked once into node_modules/.cache. Not for:
// the library (only tests drive a browser).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The flags the tests launch with (as root, no network): not the package's serverless `args`. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * WebGPU without a GPU: the package's build ships SwiftShader's Vulkan driver, and with these flags
 * pages served from localhost get its adapter (vendor google, architecture swiftshader).
 */
export const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader', '--enable-unsafe-swiftshader', '--use-angle=swiftshader'];

export interface ChromiumInstall {
  executablePath: string;
  /** Extra environment: the fonts shipped with the package, when it is the package's build. */
  env: Record<string, string>;
}

/** Finds or unpacks the Chromium to test with. Runs once per test run (vitest's global setup). */
export async function resolveChromium(): Promise<ChromiumInstall> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv}: no such file`);
    return { executablePath: fromEnv, env: {} };
  }
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@sparticuz/chromium'); // its package.json is not exported
  const pkgDir = entry.slice(0, entry.lastIndexOf('@sparticuz/chromium') + '@sparticuz/chromium'.length);
  const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version as string;
  const dir = join(root, 'node_modules', '.cache', 'wasm-mlp', `chromium-${version}`);
  if (!existsSync(join(dir, 'chromium'))) {
    // The package unpacks into os.tmpdir(): point that at a fresh folder, then move it into place
    // whole, so an interrupted unpacking never leaves a half-written browser behind.
    const staging = `${dir}.${process.pid}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = staging;
    try {
      const { default: chromium } = await import('@sparticuz/chromium');
      await chromium.executablePath();
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  }
  const executablePath = join(dir, 'chromium');
  const missing = missingLibraries(executablePath);
  if (missing.length) {
    throw new Error(`${executablePath} needs shared libraries this machine lacks: ${missing.join(', ')} (Debian: apt-get install libnss3)`);
  }
  return { executablePath, env: { FONTCONFIG_PATH: fontConfig(dir) } };
}

/**
 * A fontconfig folder whose fonts.conf lists the system's fonts and the package's own (Open
 * Sans), so pages render text on a machine with no fonts installed. The package's fonts.conf
 * points at /tmp/fonts, where it would have unpacked them.
 */
function fontConfig(dir: string): string {
  const conf = join(dir, 'fontconfig');
  mkdirSync(conf, { recursive: true });
  writeFileSync(
    join(conf, 'fonts.conf'),
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
      `  <dir>/usr/share/fonts</dir>\n  <dir>${join(dir, 'fonts', 'fonts')}</dir>\n  <cachedir>${join(conf, 'cache')}</cachedir>\n</fontconfig>\n`,
  );
  return conf;
}

function missingLibraries(executable: string): string[] {
  try {
    const out = execFileSync('ldd', [executable], { encoding: 'utf8' });
    return out.split('\n').filter((l) => l.includes('not found')).map((l) => l.trim().split(/\s+/)[0]);
  } catch {
    return []; // no ldd: let the launch say what is wrong
  }
}
