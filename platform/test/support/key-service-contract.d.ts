import type { KeyService } from '../../src/keys/key.service.js';
/** A key ref unique to one test (the file backend's file lives in `dir`). */
export declare const keyRef: (dir: string, prefix?: string) => {
    name: string;
    file: string;
};
/**
 * The behaviour every key backend must show through the key service: the same suite runs on files and on a
 * PKCS#11 token (softhsm2).
 */
export declare function keyServiceContract(label: string, setup: () => {
    keys: () => KeyService;
    dir: () => string;
}): void;
//# sourceMappingURL=key-service-contract.d.ts.map