import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/core/config.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'nunchi-build-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Copies the build script into an empty project root, optionally with node_modules linked. */
function projectCopy(name: string, withModules: boolean): string {
  const root = path.join(scratch, name);
  mkdirSync(path.join(root, 'scripts'), { recursive: true });
  copyFileSync(
    path.join(PROJECT_ROOT, 'scripts', 'build-mecab.mjs'),
    path.join(root, 'scripts', 'build-mecab.mjs'),
  );
  if (withModules)
    symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(root, 'node_modules'));
  return root;
}

function runBuild(root: string, compiler: string) {
  return spawnSync(process.execPath, ['scripts/build-mecab.mjs'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CXX: compiler },
    timeout: 30_000,
  });
}

describe('build-mecab.mjs', () => {
  it('warns and exits 0 without a compiler', () => {
    const root = projectCopy('no-compiler', true);
    const result = runBuild(root, path.join(scratch, 'no-such-g++'));
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('warning: MeCab-ko was not built');
    expect(result.stderr).toContain('C++ compiler');
    expect(result.stderr).toContain('pure-JS fallback');
    expect(existsSync(path.join(root, 'vendor', 'mecab', 'bin', 'mecab'))).toBe(false);
  });

  it('warns and exits 0 without the sources', () => {
    const root = projectCopy('no-sources', false);
    const result = runBuild(root, 'g++');
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('MeCab-ko sources missing');
  });
});
