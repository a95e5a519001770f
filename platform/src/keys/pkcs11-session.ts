import type * as Pkcs11Types from 'pkcs11js';
import { KeyError } from './key-backend.js';

export type Pkcs11Module = typeof Pkcs11Types;
export type Handle = Buffer;

export type Pkcs11Options = {
  /** The vendor's PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  modulePath: string;
  tokenLabel: string;
  /** The user PIN (read from PAKAWAAZ_PKCS11_PIN_FILE by the caller; never logged). */
  pin: string;
};

/** A logged-in session on a token, with the binding and the loaded library it runs on. */
export type Pkcs11Session = { p: Pkcs11Module; mod: Pkcs11Types.PKCS11; session: Handle };

/** One C_Initialize per loaded library in this process, however many backends use it. */
const loaded = new Map<string, { module: Pkcs11Types.PKCS11; users: number }>();

async function loadPkcs11(): Promise<Pkcs11Module> {
  try {
    const m = (await import('pkcs11js')) as unknown as { default?: Pkcs11Module } & Pkcs11Module;
    return m.default ?? m;
  } catch (err) {
    throw new KeyError(
      'key_backend',
      `The PKCS#11 binding (pkcs11js) does not load: ${(err as Error).message}. Reinstall with npm ci (it builds with node-gyp).`,
    );
  }
}

/**
 * Loads the vendor's library (C_Initialize once per library in this process), finds the token by its label,
 * and opens a read-write session logged in as its user. Errors name the configuration to check.
 */
export async function openPkcs11Session(o: Pkcs11Options): Promise<Pkcs11Session> {
  const p = await loadPkcs11();
  let entry = loaded.get(o.modulePath);
  if (!entry) {
    const mod = new p.PKCS11();
    try {
      mod.load(o.modulePath);
      mod.C_Initialize();
    } catch (err) {
      throw new KeyError(
        'key_backend',
        `Cannot load the PKCS#11 module ${o.modulePath}: ${(err as Error).message}. Check PAKAWAAZ_PKCS11_MODULE.`,
      );
    }
    entry = { module: mod, users: 0 };
    loaded.set(o.modulePath, entry);
  }
  const mod = entry.module;
  const slot = mod.C_GetSlotList(true).find((s) => mod.C_GetTokenInfo(s).label.trim() === o.tokenLabel);
  if (!slot) {
    if (entry.users === 0) finalize(o.modulePath);
    throw new KeyError(
      'key_backend',
      `No PKCS#11 token labelled "${o.tokenLabel}" in ${o.modulePath}. Check PAKAWAAZ_PKCS11_TOKEN_LABEL and that the token is initialised.`,
    );
  }
  const session = mod.C_OpenSession(slot, p.CKF_SERIAL_SESSION | p.CKF_RW_SESSION);
  try {
    mod.C_Login(session, p.CKU_USER, o.pin);
  } catch (err) {
    // Login is per process and token: a second backend on the same token finds it logged in already.
    if ((err as { code?: number }).code !== p.CKR_USER_ALREADY_LOGGED_IN) {
      mod.C_CloseSession(session);
      if (entry.users === 0) finalize(o.modulePath);
      throw new KeyError(
        'key_backend',
        `Cannot log in to the PKCS#11 token "${o.tokenLabel}": ${(err as Error).message.split(/\s/)[0]}. Check PAKAWAAZ_PKCS11_PIN_FILE.`,
      );
    }
  }
  entry.users++;
  return { p, mod, session };
}

/** Closes a session; the last session on a library finalises it (C_Finalize). */
export function closePkcs11Session(mod: Pkcs11Types.PKCS11, modulePath: string, session: Handle): void {
  const entry = loaded.get(modulePath);
  try {
    mod.C_CloseSession(session);
  } finally {
    if (entry && --entry.users <= 0) finalize(modulePath);
  }
}

function finalize(modulePath: string): void {
  const entry = loaded.get(modulePath);
  loaded.delete(modulePath);
  try {
    entry?.module.C_Finalize();
  } catch {
    // Finalising a library that failed half-way is best effort.
  }
}
