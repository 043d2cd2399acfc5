import { describe, expect, it } from 'vitest';
import { loadConfig, PROJECT_ROOT } from '../src/core/config.ts';
import { NunchiError } from '../src/core/errors.ts';

describe('loadConfig', () => {
  it('applies defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.TF_BACKEND).toBe('auto');
    expect(config.ADMIN_TOKEN).toBeUndefined();
    expect(config.SHARD_COUNT).toBe('auto');
  });

  it('resolves relative paths against the project root', () => {
    const config = loadConfig({ DATA_DIR: 'var/test' });
    expect(config.dataDir).toBe(`${PROJECT_ROOT}/var/test`);
  });

  it.each([
    ['PORT', 'eighty', 'an integer from 0 to 65535'],
    ['PORT', '70000', 'an integer from 0 to 65535'],
    ['TF_BACKEND', 'cuda', 'one of auto, tfjs-node-gpu, tfjs-node, wasm, cpu'],
    ['LOG_LEVEL', 'loud', 'one of trace, debug'],
    ['ADMIN_TOKEN', 'short', 'at least 16 characters'],
    ['DISCORD_GUILD_ID', 'my-guild', 'snowflake'],
    ['SHARD_COUNT', '0', '"auto" or an integer'],
    ['DISCORD_API_BASE', 'not a url', 'a URL such as'],
  ])('rejects %s=%s naming the variable', (variable, value, expected) => {
    let caught: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(NunchiError);
    const error = caught as NunchiError;
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(`${variable}:`);
    expect(error.message).toContain(expected);
  });

  it('shows the rejected value of a plain variable', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow('(got "abc")');
  });

  it('never echoes a rejected token value', () => {
    expect(() => loadConfig({ ADMIN_TOKEN: 'short1' })).toThrow(/ADMIN_TOKEN/);
    expect(() => loadConfig({ ADMIN_TOKEN: 'short1' })).not.toThrow(/short1/);
  });
});
